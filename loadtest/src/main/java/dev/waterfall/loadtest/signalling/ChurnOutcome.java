package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a churn phase did and caused: departures by kind, the arrivals' joins, and the repairs' clock. */
record ChurnOutcome(double seconds, long graceful, long crashed, long noneToPick, JoinOutcome arrivals,
                    long childrenAtDeparture, RepairClock repairs) {

  /** One outcome from several client processes': counts summed, one repair clock replayed from all events. */
  static ChurnOutcome merge(List<ChurnOutcome> parts) {
    double seconds = 0;
    long graceful = 0;
    long crashed = 0;
    long none = 0;
    long children = 0;
    Map<String, Long> departures = new HashMap<>();
    List<RepairClock.Reparent> reparents = new ArrayList<>();
    List<JoinOutcome> arrivals = new ArrayList<>();
    for (ChurnOutcome p : parts) {
      seconds = Math.max(seconds, p.seconds);
      graceful += p.graceful;
      crashed += p.crashed;
      none += p.noneToPick;
      children += p.childrenAtDeparture;
      arrivals.add(p.arrivals);
      departures.putAll(p.repairs.departuresAt());
      reparents.addAll(p.repairs.reparents());
    }
    return new ChurnOutcome(seconds, graceful, crashed, none, JoinOutcome.merge(arrivals), children,
        RepairClock.replay(departures, reparents));
  }

  /** The pipe's form, with every departure and reparent (the parent matches them across processes). */
  ObjectNode toWire() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("seconds", seconds).put("graceful", graceful).put("crashed", crashed).put("noneToPick", noneToPick)
        .put("childrenAtDeparture", childrenAtDeparture);
    o.set("arrivals", arrivals.toWire());
    ObjectNode departures = o.putObject("departures");
    repairs.departuresAt().forEach(departures::put);
    ArrayNode reparents = o.putArray("reparents");
    for (RepairClock.Reparent r : repairs.reparents()) {
      reparents.addArray().add(r.oldParent()).add(r.nanos());
    }
    return o;
  }

  static ChurnOutcome fromWire(JsonNode o) {
    Map<String, Long> departures = new HashMap<>();
    o.path("departures").fields().forEachRemaining(e -> departures.put(e.getKey(), e.getValue().asLong()));
    List<RepairClock.Reparent> reparents = new ArrayList<>();
    for (JsonNode r : o.path("reparents")) {
      reparents.add(new RepairClock.Reparent(r.get(0).isNull() ? null : r.get(0).asText(), r.get(1).asLong()));
    }
    return new ChurnOutcome(o.get("seconds").asDouble(), o.get("graceful").asLong(), o.get("crashed").asLong(),
        o.get("noneToPick").asLong(), JoinOutcome.fromWire(o.get("arrivals")), o.get("childrenAtDeparture").asLong(),
        RepairClock.replay(departures, reparents));
  }
}

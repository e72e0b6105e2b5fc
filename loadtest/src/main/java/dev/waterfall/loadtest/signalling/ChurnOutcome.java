package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.RepairClock;
import java.util.ArrayList;
import java.util.List;

/**
 * What a churn phase did and caused: departures by kind, the arrivals' joins, and the repairs'
 * clock.
 */
record ChurnOutcome(
    double seconds,
    long graceful,
    long crashed,
    long noneToPick,
    JoinOutcome arrivals,
    long childrenAtDeparture,
    RepairClock repairs) {

  /**
   * One outcome from several client processes': counts summed, one repair clock replayed from all
   * events.
   */
  static ChurnOutcome merge(List<ChurnOutcome> parts) {
    double seconds = 0;
    long graceful = 0;
    long crashed = 0;
    long none = 0;
    long children = 0;
    List<RepairClock.Departure> departures = new ArrayList<>();
    List<RepairClock.Reparent> reparents = new ArrayList<>();
    List<JoinOutcome> arrivals = new ArrayList<>();
    for (ChurnOutcome p : parts) {
      seconds = Math.max(seconds, p.seconds);
      graceful += p.graceful;
      crashed += p.crashed;
      none += p.noneToPick;
      children += p.childrenAtDeparture;
      arrivals.add(p.arrivals);
      departures.addAll(p.repairs.departureLog());
      reparents.addAll(p.repairs.reparents());
    }
    return new ChurnOutcome(
        seconds,
        graceful,
        crashed,
        none,
        JoinOutcome.merge(arrivals),
        children,
        RepairClock.replay(departures, reparents));
  }

  /**
   * The pipe's form, with every departure and reparent (the parent matches them across processes).
   */
  ObjectNode toWire() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("seconds", seconds)
        .put("graceful", graceful)
        .put("crashed", crashed)
        .put("noneToPick", noneToPick)
        .put("childrenAtDeparture", childrenAtDeparture);
    o.set("arrivals", arrivals.toWire());
    ArrayNode departures = o.putArray("departures");
    for (RepairClock.Departure d : repairs.departureLog()) {
      departures.addArray().add(d.nodeId()).add(d.parent()).add(d.nanos());
    }
    ArrayNode reparents = o.putArray("reparents");
    for (RepairClock.Reparent r : repairs.reparents()) {
      reparents.addArray().add(r.oldParent()).add(r.newParent()).add(r.nanos());
    }
    return o;
  }

  static ChurnOutcome fromWire(JsonNode o) {
    List<RepairClock.Departure> departures = new ArrayList<>();
    for (JsonNode d : o.path("departures")) {
      departures.add(new RepairClock.Departure(text(d.get(0)), text(d.get(1)), d.get(2).asLong()));
    }
    List<RepairClock.Reparent> reparents = new ArrayList<>();
    for (JsonNode r : o.path("reparents")) {
      reparents.add(new RepairClock.Reparent(text(r.get(0)), text(r.get(1)), r.get(2).asLong()));
    }
    return new ChurnOutcome(
        o.get("seconds").asDouble(),
        o.get("graceful").asLong(),
        o.get("crashed").asLong(),
        o.get("noneToPick").asLong(),
        JoinOutcome.fromWire(o.get("arrivals")),
        o.get("childrenAtDeparture").asLong(),
        RepairClock.replay(departures, reparents));
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}

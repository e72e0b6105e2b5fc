package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the nodes of one or more fleets saw, summed. */
record FleetState(int connected, long dropped, long heartbeatsSent, Map<String, Long> received) {
  static FleetState of(Fleet fleet) {
    return new FleetState(
        fleet.connected(), fleet.dropped(), fleet.heartbeatsSent(), fleet.received());
  }

  static FleetState sum(List<FleetState> parts) {
    int connected = 0;
    long dropped = 0;
    long sent = 0;
    Map<String, Long> received = new TreeMap<>();
    for (FleetState p : parts) {
      connected += p.connected;
      dropped += p.dropped;
      sent += p.heartbeatsSent;
      p.received.forEach((k, v) -> received.merge(k, v, Long::sum));
    }
    return new FleetState(connected, dropped, sent, received);
  }

  ObjectNode toWire() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("connected", connected).put("dropped", dropped).put("heartbeatsSent", heartbeatsSent);
    received.forEach(o.putObject("received")::put);
    return o;
  }

  static FleetState fromWire(JsonNode o) {
    Map<String, Long> received = new TreeMap<>();
    o.path("received")
        .fields()
        .forEachRemaining(e -> received.put(e.getKey(), e.getValue().asLong()));
    return new FleetState(
        o.get("connected").asInt(),
        o.get("dropped").asLong(),
        o.get("heartbeatsSent").asLong(),
        received);
  }
}

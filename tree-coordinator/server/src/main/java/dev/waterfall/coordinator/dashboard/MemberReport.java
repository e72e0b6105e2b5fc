package dev.waterfall.coordinator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * One coordinator's share of a stream's dashboard: health and byte counts of the nodes whose
 * sockets it holds, the nodes reported to it, and the repairs it made. Built on request only
 * (nobody watching costs nothing); the serving coordinator merges every member's report with the
 * tree.
 */
final class MemberReport {
  /**
   * Self-reported figures passed through to the dashboard: video frames per second received and
   * sent, CPU, and how far behind the origin a relay receives headers and whole segments (p50 and
   * p95 of the last minutes, by the origin's clock).
   */
  static final List<String> FIGURES =
      List.of(
          "fps",
          "framesSentPerSecond",
          "cpuPercent",
          "headerBehindP50Ms",
          "headerBehindP95Ms",
          "segmentBehindP50Ms",
          "segmentBehindP95Ms");

  private MemberReport() {}

  static JsonObject build(
      String member,
      List<LocalNode> local,
      Map<String, String> flags,
      List<Incidents.Repair> repairs) {
    long delivered = 0;
    long fallback = 0;
    long originEgress = 0;
    boolean originHere = false;
    JsonObject nodes = new JsonObject();
    for (LocalNode n : local) {
      String[] health = Health.of(n);
      JsonObject o = new JsonObject().put("health", health[0]);
      if (health[1] != null) {
        o.put("why", health[1]);
      }
      if (n.stats() != null) {
        JsonNode buffer = n.stats().get("bufferSeconds");
        if (buffer != null && buffer.isNumber()) {
          o.put("bufferSeconds", Math.round(buffer.doubleValue() * 10) / 10.0);
        }
        // Realtime nodes (media tracks) say how their video flows instead of how much they buffer.
        for (String field : FIGURES) {
          JsonNode v = n.stats().get(field);
          if (v != null && v.isNumber()) {
            o.put(field, v.doubleValue());
          }
        }
        Double share = Health.recentP2pShare(n);
        if (share != null && !n.root()) {
          o.put("p2pShare", Math.round(share * 1000) / 1000.0);
        }
      }
      nodes.put(n.id(), o);
      if (n.root()) {
        // What the origin itself sent: to its children over DataChannels, and to anyone over HTTP.
        originHere = n.stats() != null;
        originEgress +=
            Health.bytes(n.stats(), "bytesSentToChildren")
                + Health.bytes(n.stats(), "httpBytesServed");
      } else {
        long f = Health.bytes(n.stats(), "bytesByFallback");
        delivered += Health.bytes(n.stats(), "bytesFromParent") + f;
        fallback += f;
      }
    }
    JsonArray r = new JsonArray();
    for (Incidents.Repair x : repairs) {
      r.add(
          new JsonObject()
              .put("at", x.at())
              .put("node", x.node())
              .put("cause", x.cause())
              .put("moved", x.moved())
              .put("durationMs", x.durationMs()));
    }
    JsonObject flagged = new JsonObject();
    flags.forEach(flagged::put);
    return new JsonObject()
        .put("member", member)
        .put("nodes", nodes)
        .put("flags", flagged)
        .put("deliveredBytes", delivered)
        .put("fallbackBytes", fallback)
        .put("originEgressBytes", originEgress)
        .put("originReported", originHere)
        .put("repairs", r);
  }
}

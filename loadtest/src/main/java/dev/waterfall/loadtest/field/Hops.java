package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where a page's segments came from and how late, from its final state (window.waterfall.state,
 * p2p/node.js {@code noteHops}): per source the loads, and the ms behind the origin's {@code
 * producedAt} at which their header, their last chunk and the player's copy arrived (p50, p95). A
 * run's P2P share then says why it is what it is: a parent late on the way, or segments late
 * leaving the origin. Plus the parent link's counters (NAT and TURN).
 */
final class Hops {
  private Hops() {}

  static ObjectNode summary(JsonNode state) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    JsonNode p2p = state.path("p2p");
    List<Double> header = new ArrayList<>();
    List<Double> complete = new ArrayList<>();
    List<Double> done = new ArrayList<>();
    ObjectNode via = out.putObject("loadsBy");
    for (JsonNode load : p2p.path("loads")) {
      String source = load.path("via").asText("unknown");
      via.put(source, via.path(source).asInt() + 1);
      JsonNode behind = load.path("behind");
      if (behind.isObject() && !"http".equals(source)) {
        add(header, behind.path("header"));
        add(complete, behind.path("complete"));
      }
      if (behind.isObject()) {
        add(done, behind.path("done"));
      }
    }
    ObjectNode ms = out.putObject("msBehindOrigin");
    put(ms, "header", header);
    put(ms, "complete", complete);
    put(ms, "played", done);
    for (String counter :
        new String[] {
          "linkTimeouts",
          "relayOnlyLinks",
          "starvingReports",
          "parentChanges",
          "chunksByHttp",
          "framesSkipped"
        }) {
      out.put(counter, p2p.path(counter).asInt(0));
    }
    JsonNode parent = p2p.path("links").path("parent");
    if (parent.isObject()) {
      out.set("parentLinkGathered", parent.path("gathered"));
    }
    out.put("error", p2p.path("error").isNull() ? null : p2p.path("error").asText(null));
    return out;
  }

  private static void add(List<Double> into, JsonNode ms) {
    if (ms.isNumber() && ms.asDouble() >= 0) {
      into.add(ms.asDouble());
    }
  }

  private static void put(ObjectNode into, String name, List<Double> values) {
    if (values.isEmpty()) {
      return;
    }
    Collections.sort(values);
    into.putObject(name)
        .put("p50", values.get((values.size() - 1) / 2))
        .put("p95", values.get((int) Math.ceil(values.size() * 0.95) - 1))
        .put("count", values.size());
  }
}

package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each withholder's place over time, from the coordinator's tree sampled during the run: its
 * children, capacity and depth at each sample, and the figures issue 17 asks of a run with
 * withholders: how long each held children, and when it last had any (its children moved away or it
 * was demoted). Pure: fed tree snapshots, no I/O.
 */
final class WithholderWatch {
  private final Map<String, List<Sample>> series = new LinkedHashMap<>();

  record Sample(double seconds, int children, int capacity, int depth, boolean present) {}

  WithholderWatch(List<String> ids) {
    ids.forEach(id -> series.put(id, new ArrayList<>()));
  }

  /** One tree snapshot ({@code nodes} of /api/streams/{name}/tree) at {@code seconds}. */
  void sample(double seconds, JsonNode tree) {
    if (tree == null) {
      return;
    }
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    for (JsonNode n : tree.path("nodes")) {
      byId.put(n.path("id").asText(), n);
    }
    for (Map.Entry<String, List<Sample>> e : series.entrySet()) {
      JsonNode n = byId.get(e.getKey());
      e.getValue()
          .add(
              n == null
                  ? new Sample(seconds, 0, 0, -1, false)
                  : new Sample(
                      seconds,
                      n.path("children").size(),
                      n.path("capacity").asInt(),
                      n.path("depth").asInt(),
                      true));
    }
  }

  /**
   * Per withholder: the most children it held, the child-seconds it withheld (children × time
   * between samples), when it first and last held a child, whether it still holds any at the end,
   * and its samples where they changed.
   */
  ArrayNode json() {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (Map.Entry<String, List<Sample>> e : series.entrySet()) {
      List<Sample> s = e.getValue();
      ObjectNode w = out.addObject().put("nodeId", e.getKey());
      int max = 0;
      double childSeconds = 0;
      Double first = null;
      Double last = null;
      ArrayNode changes = w.putArray("changes");
      Sample prev = null;
      for (int i = 0; i < s.size(); i++) {
        Sample x = s.get(i);
        max = Math.max(max, x.children());
        if (x.children() > 0) {
          if (first == null) {
            first = x.seconds();
          }
          last = x.seconds();
          if (i + 1 < s.size()) {
            childSeconds += x.children() * (s.get(i + 1).seconds() - x.seconds());
          }
        }
        if (prev == null
            || prev.children() != x.children()
            || prev.capacity() != x.capacity()
            || prev.depth() != x.depth()
            || prev.present() != x.present()) {
          changes
              .addObject()
              .put("s", Math.round(x.seconds() * 10) / 10.0)
              .put("children", x.children())
              .put("capacity", x.capacity())
              .put("depth", x.depth())
              .put("inTree", x.present());
        }
        prev = x;
      }
      w.put("maxChildren", max).put("childSeconds", Math.round(childSeconds));
      if (first != null) {
        w.put("firstChildAtS", Math.round(first * 10) / 10.0);
        w.put("lastChildAtS", Math.round(last * 10) / 10.0);
      }
      w.put("childrenAtEnd", s.isEmpty() ? 0 : s.get(s.size() - 1).children());
    }
    return out;
  }

  /** Stalled time ÷ watch time (NaN without watch time). */
  static double stalledShare(long stalledMs, long watchedMs) {
    return watchedMs <= 0 ? Double.NaN : (double) stalledMs / watchedMs;
  }
}

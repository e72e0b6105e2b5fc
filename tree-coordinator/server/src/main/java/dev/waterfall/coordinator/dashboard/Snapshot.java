package dev.waterfall.coordinator.dashboard;

import dev.waterfall.coordinator.cluster.NodeView;
import dev.waterfall.protocol.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One frame of the dashboard feed: the tree (from the tree store) merged with every coordinator's
 * {@link MemberReport}. Offload is {@code 1 - origin egress / bytes delivered}, where delivered is
 * what every non-origin node in the tree received (from its parent or over HTTP) and origin egress
 * is what the origin sent to its children plus what it served over HTTP; both are counters since
 * each node joined, so a node that left takes its bytes with it (the figure then errs low, never
 * high). Beyond {@link #DETAIL_LIMIT} nodes, deep levels are sent as counts only so neither the
 * feed nor the page grows with the audience. A node is {@code connected} while a current member
 * holds its socket, as in the REST tree: a dead member's nodes are not, until they resume.
 */
final class Snapshot {
  static final int DETAIL_LIMIT = 200;
  static final int RECENT_REPAIRS = 20;
  private static final List<String> COLOURS = List.of("green", "amber", "red", "grey");

  private Snapshot() {}

  /** {@code members}: the cluster's coordinators now (each was asked for its report). */
  static JsonObject build(
      String stream,
      List<NodeView> tree,
      List<JsonObject> reports,
      Collection<String> members,
      long now) {
    Set<String> live = Set.copyOf(members);
    Map<String, JsonObject> health = new HashMap<>();
    Map<String, String> flags = new HashMap<>();
    long delivered = 0;
    long fallback = 0;
    long egress = 0;
    boolean originReported = false;
    List<JsonObject> repairs = new ArrayList<>();
    for (JsonObject r : reports) {
      r.getJsonObject("nodes").forEach(e -> health.put(e.getKey(), (JsonObject) e.getValue()));
      r.getJsonObject("flags").forEach(e -> flags.put(e.getKey(), (String) e.getValue()));
      delivered += r.getLong("deliveredBytes");
      fallback += r.getLong("fallbackBytes");
      egress += r.getLong("originEgressBytes");
      originReported |= r.getBoolean("originReported");
      r.getJsonArray("repairs").forEach(x -> repairs.add((JsonObject) x));
    }

    List<NodeView> nodes = new ArrayList<>(tree);
    nodes.sort(Comparator.comparingInt(NodeView::depth).thenComparingLong(NodeView::joinedAt));
    TreeMap<Integer, int[]> levels = new TreeMap<>();
    int viewers = 0;
    int boosters = 0;
    List<JsonObject> views = new ArrayList<>(nodes.size());
    for (NodeView n : nodes) {
      JsonObject h = health.get(n.id());
      String colour = h == null ? "grey" : h.getString("health");
      String why = h == null ? "no stats yet" : h.getString("why");
      if (flags.containsKey(n.id())) {
        colour = "red";
        why = flags.get(n.id());
      }
      levels.computeIfAbsent(n.depth(), d -> new int[COLOURS.size()])[COLOURS.indexOf(colour)]++;
      viewers += Role.VIEWER.is(n.role()) ? 1 : 0;
      boosters += Role.BOOSTER.is(n.role()) ? 1 : 0;
      boolean connected = n.owner() != null && live.contains(n.owner());
      JsonObject v =
          new JsonObject()
              .put("id", n.id())
              .put("role", n.role())
              .put("parent", n.parent())
              .put("depth", n.depth())
              .put("connected", connected)
              .put("health", colour);
      if (why != null) {
        v.put("why", why);
      }
      if (h != null && h.containsKey("bufferSeconds")) {
        v.put("bufferSeconds", h.getValue("bufferSeconds"));
      }
      if (h != null && h.containsKey("p2pShare")) {
        v.put("p2pShare", h.getValue("p2pShare"));
      }
      for (String field : MemberReport.FIGURES) {
        if (h != null && h.containsKey(field)) {
          v.put(field, h.getValue(field));
        }
      }
      views.add(v);
    }

    // Whole levels while they fit: the page draws those node by node and the rest as one box per
    // level.
    int detailDepth = -1;
    int shown = 0;
    JsonArray levelJson = new JsonArray();
    for (var e : levels.entrySet()) {
      int count = 0;
      JsonObject l = new JsonObject().put("depth", e.getKey());
      for (int i = 0; i < COLOURS.size(); i++) {
        l.put(COLOURS.get(i), e.getValue()[i]);
        count += e.getValue()[i];
      }
      levelJson.add(l.put("count", count));
      if (detailDepth == e.getKey() - 1 && (shown + count <= DETAIL_LIMIT || detailDepth < 0)) {
        detailDepth = e.getKey();
        shown += count;
      }
    }
    JsonArray nodeJson = new JsonArray();
    for (JsonObject v : views) {
      if (v.getInteger("depth") <= detailDepth) {
        nodeJson.add(v);
      }
    }

    repairs.sort(Comparator.comparingLong(x -> x.getLong("at")));
    JsonArray durations = new JsonArray();
    repairs.forEach(x -> durations.add(x.getDouble("durationMs")));
    JsonArray recent = new JsonArray();
    repairs
        .subList(Math.max(0, repairs.size() - RECENT_REPAIRS), repairs.size())
        .forEach(
            x -> recent.add(x.copy().put("at", Instant.ofEpochMilli(x.getLong("at")).toString())));

    Double offload =
        delivered > 0 && originReported ? clamp(1 - (double) egress / delivered) : null;
    Double fallbackShare = delivered > 0 ? round((double) fallback / delivered) : null;
    JsonObject figures =
        new JsonObject()
            .put("nodes", tree.size())
            .put("viewers", viewers)
            .put("boosters", boosters)
            .put("depth", levels.isEmpty() ? 0 : levels.lastKey())
            .put("offload", offload)
            .put("fallbackShare", fallbackShare)
            .put("deliveredBytes", delivered)
            .put("originEgressBytes", egress)
            .put("fallbackBytes", fallback);
    return new JsonObject()
        .put("stream", stream)
        .put("at", Instant.ofEpochMilli(now).toString())
        .put(
            "coordinators",
            new JsonObject().put("asked", live.size()).put("answered", reports.size()))
        .put("figures", figures)
        .put("levels", levelJson)
        .put("detailDepth", detailDepth)
        .put("nodes", nodeJson)
        .put(
            "repairs",
            new JsonObject()
                .put("lastMinute", repairs.size())
                .put("durationsMs", durations)
                .put("recent", recent));
  }

  private static double clamp(double v) {
    return round(Math.max(0, Math.min(1, v)));
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}

package dev.waterfall.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.cluster.NodeView;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
    "dashboard frames: merging members' reports with the tree, health, offload, collapsing")
class SnapshotTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The one member, which holds every node's socket (node()). */
  private static final List<String> MEMBER = List.of("member");

  @Test
  @DisplayName(
      "health comes from the member holding the node, a flag from any member wins, no report is grey")
  void mergesHealthAcrossMembers() throws Exception {
    List<NodeView> tree =
        List.of(
            node("o", "origin", null, 0),
            node("a", "booster", "o", 1),
            node("b", "viewer", "a", 2),
            node("c", "viewer", "a", 2));
    JsonObject first =
        MemberReport.build(
            "m1",
            List.of(
                new LocalNode(
                    "o", true, stats("{\"bytesSentToChildren\":3000,\"httpBytesServed\":0}"), null),
                new LocalNode(
                    "a", false, stats("{\"bytesFromParent\":3000,\"bufferSeconds\":6}"), null)),
            Map.of(),
            List.of());
    // The second member holds b, and heard a report that a is too slow: a flag counts wherever it
    // was heard.
    JsonObject second =
        MemberReport.build(
            "m2",
            List.of(
                new LocalNode(
                    "b",
                    false,
                    stats(
                        "{\"bytesFromParent\":2000,\"bytesByFallback\":1000,\"bufferSeconds\":6}"),
                    stats("{\"bytesFromParent\":0,\"bytesByFallback\":0}"))),
            Map.of("a", "slow"),
            List.of());
    JsonObject s =
        Snapshot.build("x", tree, List.of(first, second), List.of("member", "m2", "m3"), 0);

    Map<String, JsonObject> byId = new java.util.HashMap<>();
    s.getJsonArray("nodes")
        .forEach(n -> byId.put(((JsonObject) n).getString("id"), (JsonObject) n));
    assertThat(byId.get("o").getString("health")).isEqualTo("green");
    assertThat(byId.get("a").getString("health")).isEqualTo("red");
    assertThat(byId.get("a").getString("why")).isEqualTo("slow");
    // 2/3 from its parent since last beat
    assertThat(byId.get("b").getString("health")).isEqualTo("amber");
    assertThat(byId.get("b").getString("why")).isEqualTo("poor-p2p");
    assertThat(byId.get("b").getDouble("p2pShare")).isEqualTo(0.667);
    assertThat(byId.get("c").getString("health")).isEqualTo("grey");
    JsonObject f = s.getJsonObject("figures");
    assertThat(f.getLong("deliveredBytes")).isEqualTo(6000);
    assertThat(f.getDouble("offload")).isEqualTo(0.5);
    assertThat(f.getDouble("fallbackShare")).isEqualTo(0.167);
    assertThat(s.getJsonObject("coordinators").getInteger("answered")).isEqualTo(2);
    assertThat(s.getJsonArray("levels").getJsonObject(2).getInteger("grey")).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "no offload without the origin's stats; never below 0 when more left the origin than arrived")
  void offloadNeedsTheOriginAndIsClamped() throws Exception {
    List<NodeView> tree = List.of(node("o", "origin", null, 0), node("a", "viewer", "o", 1));
    JsonObject viewerOnly =
        MemberReport.build(
            "m",
            List.of(new LocalNode("a", false, stats("{\"bytesFromParent\":1000}"), null)),
            Map.of(),
            List.of());
    assertThat(
            Snapshot.build("x", tree, List.of(viewerOnly), MEMBER, 0)
                .getJsonObject("figures")
                .getValue("offload"))
        .isNull();
    JsonObject both =
        MemberReport.build(
            "m",
            List.of(
                new LocalNode(
                    "o",
                    true,
                    stats("{\"bytesSentToChildren\":1500,\"httpBytesServed\":500}"),
                    null),
                new LocalNode("a", false, stats("{\"bytesFromParent\":1000}"), null)),
            Map.of(),
            List.of());
    assertThat(
            Snapshot.build("x", tree, List.of(both), MEMBER, 0)
                .getJsonObject("figures")
                .getDouble("offload"))
        .isEqualTo(0.0);
  }

  @Test
  @DisplayName("whole levels while they fit in 200 nodes; deeper ones as counts only")
  void collapsesDeepLevels() {
    List<NodeView> tree = new ArrayList<>();
    tree.add(node("n0", "origin", null, 0));
    int[] sizes = {1, 4, 16, 64, 256};
    int id = 1;
    List<String> previous = List.of("n0");
    for (int depth = 1; depth < sizes.length; depth++) {
      List<String> level = new ArrayList<>();
      for (int i = 0; i < sizes[depth]; i++) {
        String n = "n" + id++;
        tree.add(node(n, "viewer", previous.get(i / 4), depth));
        level.add(n);
      }
      previous = level;
    }
    JsonObject s = Snapshot.build("x", tree, List.of(), MEMBER, 0);
    assertThat(s.getInteger("detailDepth")).isEqualTo(3);
    assertThat(s.getJsonArray("nodes")).hasSize(85);
    assertThat(s.getJsonArray("levels")).hasSize(5);
    assertThat(s.getJsonArray("levels").getJsonObject(4).getInteger("count")).isEqualTo(256);
    assertThat(s.getJsonObject("figures").getInteger("nodes")).isEqualTo(341);
    assertThat(s.getJsonObject("figures").getInteger("depth")).isEqualTo(4);

    JsonObject small = Snapshot.build("x", tree.subList(0, 85), List.of(), MEMBER, 0);
    assertThat(small.getInteger("detailDepth")).isEqualTo(3);
    assertThat(small.getJsonArray("nodes")).hasSize(85);
  }

  @Test
  @DisplayName("repairs from all members, oldest first, with their durations")
  void repairsFromAllMembers() {
    List<NodeView> tree = List.of(node("o", "origin", null, 0));
    JsonObject m1 =
        MemberReport.build(
            "m1", List.of(), Map.of(), List.of(new Incidents.Repair(2000, "a", "closed", 3, 1.5)));
    JsonObject m2 =
        MemberReport.build(
            "m2", List.of(), Map.of(), List.of(new Incidents.Repair(1000, "b", "left", 1, 0.25)));
    JsonObject r =
        Snapshot.build("x", tree, List.of(m1, m2), List.of("member", "m2"), 5000)
            .getJsonObject("repairs");
    assertThat(r.getInteger("lastMinute")).isEqualTo(2);
    assertThat(r.getJsonArray("durationsMs").getList()).containsExactly(0.25, 1.5);
    assertThat(r.getJsonArray("recent").getJsonObject(1).getString("node")).isEqualTo("a");
    assertThat(r.getJsonArray("recent").getJsonObject(1).getString("at"))
        .isEqualTo("1970-01-01T00:00:02Z");
  }

  @Test
  @DisplayName(
      "connected: a current member holds the socket; no owner, or a member gone, is not connected")
  void connectedMeansALiveOwner() {
    List<NodeView> tree =
        List.of(
            node("o", "origin", null, 0),
            new NodeView("a", "viewer", "o", 1, List.of(), 4, 1, "gone-member"),
            new NodeView("b", "viewer", "o", 1, List.of(), 4, 1, null));
    JsonObject s = Snapshot.build("x", tree, List.of(), MEMBER, 0);
    Map<String, Boolean> connected = new java.util.HashMap<>();
    s.getJsonArray("nodes")
        .forEach(
            n ->
                connected.put(
                    ((JsonObject) n).getString("id"), ((JsonObject) n).getBoolean("connected")));
    assertThat(connected)
        .containsExactlyInAnyOrderEntriesOf(Map.of("o", true, "a", false, "b", false));
  }

  @Test
  @DisplayName("incidents: repairs older than a minute and flags older than 30 s are forgotten")
  void incidentsExpire() {
    Incidents incidents = new Incidents();
    incidents.repair("x", "a", "closed", 2, System.nanoTime(), 1_000);
    incidents.flag("x", "b", "starving", 1_000);
    assertThat(incidents.repairs("x", 60_000)).hasSize(1);
    assertThat(incidents.flags("x", 30_000)).containsEntry("b", "starving");
    assertThat(incidents.repairs("x", 61_001)).isEmpty();
    assertThat(incidents.flags("x", 31_001)).isEmpty();
  }

  private static NodeView node(String id, String role, String parent, int depth) {
    return new NodeView(id, role, parent, depth, List.of(), 4, depth, "member");
  }

  private static JsonNode stats(String json) throws Exception {
    return JSON.readTree(json);
  }
}

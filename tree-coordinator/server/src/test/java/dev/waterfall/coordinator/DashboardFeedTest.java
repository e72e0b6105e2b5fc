package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.EventStream;
import dev.waterfall.coordinator.support.Rest;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the dashboard feed: the tree, each node's health, offload and repairs, live over SSE")
class DashboardFeedTest {
  private TestCoordinator coordinator;
  private Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    coordinator = TestCoordinator.start(Map.of("liveness.heartbeatIntervalMs", "300"));
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
    vertx.close();
    coordinator.close();
  }

  @Test
  @DisplayName(
      "every node with its role, depth and parent; offload from the origin's egress; a departure is a repair")
  void treeFiguresAndRepairs() throws Exception {
    String key = coordinator.createStream("dash");
    TestNode origin = add(TestNode.join(vertx, coordinator.baseUrl, "dash", "origin", key));
    // What the origin sent: 4000 bytes to its children over DataChannels, 1000 over HTTP (a
    // fallback fetch).
    origin.stats("{\"bytesSentToChildren\":4000,\"httpBytesServed\":1000,\"bufferSeconds\":8}");
    TestNode booster =
        add(
            TestNode.join(
                vertx,
                coordinator.baseUrl,
                "dash",
                "booster",
                coordinator.coordinator.issueBoosterToken()));
    // A relay also says how far behind the origin it receives headers and whole segments.
    booster.stats(
        "{\"bytesFromParent\":1000,\"bytesByFallback\":0,\"bufferSeconds\":8,\"httpBytesServed\":500,"
            + "\"headerBehindP50Ms\":40,\"segmentBehindP50Ms\":300,\"segmentBehindP95Ms\":900}");
    Map<String, TestNode> viewers = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      TestNode v = add(TestNode.join(vertx, coordinator.baseUrl, "dash", "viewer", null));
      viewers.put(v.id(), v);
      // The last viewer took 1000 of its bytes over HTTP and holds only 1 s: amber.
      v.stats(
          i == 4
              ? "{\"bytesFromParent\":1000,\"bytesByFallback\":1000,\"bufferSeconds\":1.0}"
              : "{\"bytesFromParent\":1000,\"bytesByFallback\":0,\"bufferSeconds\":6.5}");
    }
    String lowBuffer = nodes.get(nodes.size() - 1).id();
    // Delivered: 6 × 1000 from parents + 1000 by fallback = 7000; origin egress 5000 → offload 1 -
    // 5/7.
    TreeView tree = TreeView.fetch(coordinator.rest, "dash").assertValid();

    try (EventStream feed = EventStream.open(coordinator.baseUrl + "/api/streams/dash/dashboard")) {
      assertThat(feed.response.statusCode()).isEqualTo(200);
      assertThat(feed.response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
      JsonNode snap =
          feed.await(
                  "snapshot",
                  s ->
                      s.get("nodes").size() == 7
                          && s.get("figures").get("offload").isNumber()
                          && s.get("figures").get("deliveredBytes").longValue() == 7000
                          && noGrey(s),
                  10_000)
              .data();

      assertThat(snap.get("stream").textValue()).isEqualTo("dash");
      assertThat(snap.get("coordinators").get("answered").intValue()).isEqualTo(1);
      JsonNode figures = snap.get("figures");
      assertThat(figures.get("nodes").intValue()).isEqualTo(7);
      assertThat(figures.get("viewers").intValue()).isEqualTo(5);
      assertThat(figures.get("boosters").intValue()).isEqualTo(1);
      assertThat(figures.get("originEgressBytes").longValue()).isEqualTo(5000);
      assertThat(figures.get("offload").doubleValue())
          .isEqualTo(Math.round((1 - 5000.0 / 7000) * 1000) / 1000.0);
      assertThat(figures.get("fallbackShare").doubleValue())
          .isEqualTo(Math.round(1000.0 / 7000 * 1000) / 1000.0);
      assertThat(figures.get("depth").intValue())
          .isEqualTo(
              tree.nodes.values().stream().mapToInt(TreeView.Node::depth).max().orElseThrow());
      assertThat(snap.get("detailDepth").intValue()).isEqualTo(figures.get("depth").intValue());

      Map<String, JsonNode> byId = new HashMap<>();
      snap.get("nodes").forEach(n -> byId.put(n.get("id").textValue(), n));
      assertThat(byId.keySet()).isEqualTo(tree.nodes.keySet());
      for (TreeView.Node n : tree.nodes.values()) {
        JsonNode d = byId.get(n.id());
        assertThat(d.get("role").textValue()).as(n.id()).isEqualTo(n.role());
        assertThat(d.get("depth").intValue()).as(n.id()).isEqualTo(n.depth());
        assertThat(d.get("parent").isNull() ? null : d.get("parent").textValue())
            .as(n.id())
            .isEqualTo(n.parent());
        String expected = n.id().equals(lowBuffer) ? "amber" : "green";
        assertThat(d.get("health").textValue()).as(n.id() + " " + d).isEqualTo(expected);
      }
      assertThat(byId.get(lowBuffer).get("why").textValue()).isEqualTo("low-buffer");
      JsonNode b = byId.get(booster.id());
      assertThat(b.get("headerBehindP50Ms").doubleValue()).isEqualTo(40);
      assertThat(b.get("segmentBehindP95Ms").doubleValue()).isEqualTo(900);
      assertThat(snap.get("repairs").get("lastMinute").intValue()).isZero();

      // A crash of a depth-1 node with children: the coordinator re-attaches them, and that is a
      // repair.
      TreeView.Node victim =
          tree.nodes.values().stream()
              .filter(n -> n.depth() == 1 && !n.children().isEmpty())
              .findFirst()
              .orElseThrow();
      TestNode crashing = viewers.containsKey(victim.id()) ? viewers.get(victim.id()) : booster;
      crashing.close();
      JsonNode after =
          feed.await(
                  "snapshot",
                  s ->
                      s.get("repairs").get("lastMinute").intValue() == 1
                          && s.get("nodes").size() == 6,
                  10_000)
              .data();
      JsonNode repair = after.get("repairs").get("recent").get(0);
      assertThat(repair.get("node").textValue()).isEqualTo(victim.id());
      assertThat(repair.get("cause").textValue()).isEqualTo("closed");
      assertThat(repair.get("moved").intValue()).isEqualTo(victim.children().size());
      assertThat(repair.get("durationMs").doubleValue()).isGreaterThanOrEqualTo(0);
      assertThat(after.get("repairs").get("durationsMs")).hasSize(1);
      assertThat(after.findValuesAsText("id")).doesNotContain(victim.id());

      // A node that reports starving (and is moved for it) shows red.
      TreeView now = TreeView.fetch(coordinator.rest, "dash").assertValid();
      TreeView.Node deep =
          now.nodes.values().stream().filter(n -> n.depth() >= 2).findFirst().orElseThrow();
      TestNode starving =
          nodes.stream().filter(n -> n.id().equals(deep.id())).findFirst().orElseThrow();
      starving.send(new Message.Report(deep.parent(), "starving", "nothing for 5 s"));
      JsonNode red = feed.await("snapshot", s -> health(s, deep.id()).equals("red"), 10_000).data();
      assertThat(red.toString()).contains("\"why\":\"starving\"");

      // Deleting the stream ends the feed cleanly, with a last word.
      assertThat(coordinator.rest.admin("DELETE", "/api/streams/dash", null).status())
          .isEqualTo(204);
      JsonNode gone = feed.await("gone", g -> true, 5000).data();
      assertThat(gone.get("error").textValue()).isEqualTo("unknown-stream");
      assertThat(feed.awaitEnd(5000)).as("the response ends").isTrue();
    }
  }

  @Test
  @DisplayName(
      "realtime boosters: frame rates and CPU pass through, no buffer is no fault, no video is amber")
  void realtimeFigures() throws Exception {
    String key =
        coordinator
            .coordinator
            .createStream(
                new dev.waterfall.coordinator.streams.StreamCatalog.Spec(
                    "rt", 1000, 4, null, "realtime"))
            .publishKey();
    TestNode origin = add(TestNode.join(vertx, coordinator.baseUrl, "rt", "origin", key));
    origin.stats("{\"bytesFromParent\":0,\"framesDecoded\":0}");
    String token = coordinator.coordinator.issueBoosterToken();
    TestNode flowing = add(TestNode.join(vertx, coordinator.baseUrl, "rt", "booster", token));
    TestNode stalled = add(TestNode.join(vertx, coordinator.baseUrl, "rt", "booster", token));
    // What RelayNode's realtime heartbeat sends (no bufferSeconds: a realtime booster holds no
    // segments).
    flowing.stats(
        "{\"realtime\":true,\"bytesFromParent\":90000,\"bytesByFallback\":0,\"fps\":14.5,"
            + "\"framesSentPerSecond\":29,\"cpuPercent\":12.5,\"bytesSentToChildren\":180000}");
    stalled.stats(
        "{\"realtime\":true,\"bytesFromParent\":0,\"bytesByFallback\":0,\"fps\":0,"
            + "\"framesSentPerSecond\":0,\"cpuPercent\":1.0}");
    try (EventStream feed = EventStream.open(coordinator.baseUrl + "/api/streams/rt/dashboard")) {
      JsonNode snap =
          feed.await("snapshot", s -> s.get("nodes").size() == 3 && noGrey(s), 10_000).data();
      Map<String, JsonNode> byId = new HashMap<>();
      snap.get("nodes").forEach(n -> byId.put(n.get("id").textValue(), n));
      JsonNode f = byId.get(flowing.id());
      assertThat(f.get("health").textValue()).as(f.toString()).isEqualTo("green");
      assertThat(f.get("fps").doubleValue()).isEqualTo(14.5);
      assertThat(f.get("framesSentPerSecond").doubleValue()).isEqualTo(29);
      assertThat(f.get("cpuPercent").doubleValue()).isEqualTo(12.5);
      assertThat(f.has("bufferSeconds")).isFalse();
      JsonNode s = byId.get(stalled.id());
      assertThat(s.get("health").textValue()).as(s.toString()).isEqualTo("amber");
      assertThat(s.get("why").textValue()).isEqualTo("no-video");
    }
  }

  @Test
  @DisplayName("a stream that does not exist: 404 with a sentence, and the page itself is served")
  void unknownStream() {
    Rest.Reply r = coordinator.rest.get("/api/streams/nope/dashboard");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").textValue()).isEqualTo("unknown-stream");
    assertThat(r.json().get("message").textValue()).contains("nope");
    Rest.Reply page = coordinator.rest.get("/dashboard/%3Cscript%3E");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("/web/dashboard.js").doesNotContain("<script>");
  }

  @Test
  @DisplayName(
      "two coordinators in one cluster: either serves the whole picture, each node's stats from its own")
  void rightWhicheverCoordinatorServesIt() throws Exception {
    int portA = TestCoordinator.nextClusterPort();
    int portB = TestCoordinator.nextClusterPort();
    String cluster = "dash-" + ProcessHandle.current().pid() + "-" + portA;
    TestCoordinator other =
        TestCoordinator.start(
            Map.of(
                "cluster.name",
                cluster,
                "cluster.port",
                Integer.toString(portB),
                "cluster.members",
                "127.0.0.1:" + portA,
                "liveness.heartbeatIntervalMs",
                "300"));
    coordinator.close();
    coordinator =
        TestCoordinator.start(
            Map.of(
                "cluster.name",
                cluster,
                "cluster.port",
                Integer.toString(portA),
                "cluster.members",
                "127.0.0.1:" + portB,
                "liveness.heartbeatIntervalMs",
                "300"));
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      while (coordinator.coordinator.hazelcast().getCluster().getMembers().size() < 2
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(coordinator.coordinator.hazelcast().getCluster().getMembers()).hasSize(2);
      String key = coordinator.createStream("both");
      TestNode origin = add(TestNode.join(vertx, coordinator.baseUrl, "both", "origin", key));
      origin.stats("{\"bytesSentToChildren\":800,\"httpBytesServed\":200}");
      TestNode onOther = add(TestNode.join(vertx, other.baseUrl, "both", "viewer", null));
      onOther.stats("{\"bytesFromParent\":900,\"bytesByFallback\":100,\"bufferSeconds\":1}");
      TestNode onThis = add(TestNode.join(vertx, coordinator.baseUrl, "both", "viewer", null));
      onThis.stats("{\"bytesFromParent\":1000,\"bytesByFallback\":0,\"bufferSeconds\":5}");

      // The origin and one viewer on this coordinator, the other viewer (low buffer: amber) on the
      // other one.
      for (TestCoordinator serving : List.of(other, coordinator)) {
        try (EventStream feed = EventStream.open(serving.baseUrl + "/api/streams/both/dashboard")) {
          JsonNode snap =
              feed.await(
                      "snapshot",
                      s ->
                          s.get("nodes").size() == 3
                              && noGrey(s)
                              && s.get("figures").get("deliveredBytes").longValue() == 2000,
                      10_000)
                  .data();
          assertThat(snap.get("coordinators").get("asked").intValue()).isEqualTo(2);
          assertThat(snap.get("coordinators").get("answered").intValue()).isEqualTo(2);
          assertThat(snap.get("figures").get("offload").doubleValue()).isEqualTo(0.5);
          assertThat(snap.get("figures").get("fallbackShare").doubleValue()).isEqualTo(0.05);
          Map<String, String> health = new HashMap<>();
          snap.get("nodes")
              .forEach(n -> health.put(n.get("id").textValue(), n.get("health").textValue()));
          assertThat(health)
              .containsEntry(origin.id(), "green")
              .containsEntry(onOther.id(), "amber")
              .containsEntry(onThis.id(), "green");
        }
      }
    } finally {
      nodes.forEach(TestNode::close);
      nodes.clear();
      other.close();
    }
  }

  @Test
  @DisplayName(
      "connected as in the REST tree: a node whose coordinator left is not, until it resumes")
  void connectedMeansALiveCoordinatorHoldsTheSocket() throws Exception {
    int portA = TestCoordinator.nextClusterPort();
    int portB = TestCoordinator.nextClusterPort();
    String cluster = "dash-live-" + ProcessHandle.current().pid() + "-" + portA;
    coordinator.close();
    coordinator =
        TestCoordinator.start(
            Map.of(
                "cluster.name",
                cluster,
                "cluster.port",
                Integer.toString(portA),
                "liveness.heartbeatIntervalMs",
                "300"));
    TestCoordinator other =
        TestCoordinator.start(
            Map.of(
                "cluster.name",
                cluster,
                "cluster.port",
                Integer.toString(portB),
                "cluster.members",
                "127.0.0.1:" + portA,
                "liveness.heartbeatIntervalMs",
                "300"));
    try {
      awaitMembers(2);
      String key = coordinator.createStream("live");
      TestNode origin = add(TestNode.join(vertx, coordinator.baseUrl, "live", "origin", key));
      TestNode onOther = add(TestNode.join(vertx, other.baseUrl, "live", "viewer", null));
      try (EventStream feed =
          EventStream.open(coordinator.baseUrl + "/api/streams/live/dashboard")) {
        JsonNode before = feed.await("snapshot", s -> s.get("nodes").size() == 2, 10_000).data();
        assertThat(connected(before, origin.id())).isTrue();
        assertThat(connected(before, onOther.id())).isTrue();

        // The other coordinator leaves; its viewer keeps its place (the resume grace) but no live
        // member holds it.
        other.close();
        awaitMembers(1);
        JsonNode after =
            feed.await(
                    "snapshot",
                    s ->
                        s.get("nodes").size() == 2
                            && s.get("coordinators").get("asked").intValue() == 1,
                    10_000)
                .data();
        assertThat(connected(after, origin.id())).isTrue();
        assertThat(connected(after, onOther.id())).as(after.toString()).isFalse();
        assertThat(restConnected(onOther.id())).isFalse();
        assertThat(restConnected(origin.id())).isTrue();
      }
    } finally {
      nodes.forEach(TestNode::close);
      nodes.clear();
      other.close();
    }
  }

  private void awaitMembers(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (coordinator.coordinator.hazelcast().getCluster().getMembers().size() != n
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(coordinator.coordinator.hazelcast().getCluster().getMembers()).hasSize(n);
  }

  private boolean restConnected(String id) {
    for (JsonNode n : coordinator.rest.get("/api/streams/live/tree").json().get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n.get("connected").booleanValue();
      }
    }
    throw new AssertionError("no node " + id);
  }

  private static boolean connected(JsonNode snap, String id) {
    for (JsonNode n : snap.get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n.get("connected").booleanValue();
      }
    }
    throw new AssertionError("no node " + id + " in " + snap);
  }

  private static String health(JsonNode snap, String id) {
    for (JsonNode n : snap.get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n.get("health").textValue();
      }
    }
    return "absent";
  }

  private static boolean noGrey(JsonNode snap) {
    for (JsonNode n : snap.get("nodes")) {
      if (n.get("health").textValue().equals("grey")) {
        return false;
      }
    }
    return true;
  }

  private TestNode add(TestNode n) {
    nodes.add(n);
    return n;
  }
}

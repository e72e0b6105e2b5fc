package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

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

@DisplayName("what the data plane needs: the signing key, the fallback list, reports")
class DataPlaneInfoTest {
  private static final String KEY = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";

  /** Enough for the stream's 4 slots at the default 3,000 kbps. */
  private static final int FAST_UPLINK_KBPS = 20_000;

  private TestCoordinator coordinator;
  private Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    coordinator = TestCoordinator.start();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
    vertx.close();
    coordinator.close();
  }

  private TestNode join(Message.Join join) {
    TestNode n = TestNode.connect(vertx, coordinator.baseUrl);
    nodes.add(n);
    n.send(join);
    n.welcome = n.await(Message.Welcome.class);
    return n;
  }

  @Test
  void viewersLearnTheOriginsKeyAndTheHttpSources() throws Exception {
    String publishKey = coordinator.createStream("info");
    String token =
        coordinator.rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();
    TestNode origin =
        join(
            new Message.Join(
                "info", "origin", publishKey, null, null, KEY, "http://127.0.0.1:8090"));
    assertThat(origin.welcome.stream().publicKey()).isEqualTo(KEY);
    TestNode booster =
        join(new Message.Join("info", "booster", token, null, null, null, "http://127.0.0.1:8091"));
    TestNode viewer =
        join(new Message.Join("info", "viewer", null, null, null, null, "http://ignored:1"));
    assertThat(viewer.welcome.stream().publicKey()).isEqualTo(KEY);
    assertThat(viewer.welcome.fallbacks())
        .containsExactly("http://127.0.0.1:8090", "http://127.0.0.1:8091");
    assertThat(coordinator.rest.get("/api/streams/info/fallbacks").json().get("fallbacks"))
        .hasSize(2);
    assertThat(
            coordinator.rest.get("/api/streams/info/fallbacks").json().get("publicKey").textValue())
        .isEqualTo(KEY);

    booster.send(new Message.Leave());
    assertThat(booster.awaitClosed(5000)).isTrue();
    long deadline = System.currentTimeMillis() + 5000;
    while (coordinator.rest.get("/api/streams/info/fallbacks").json().get("fallbacks").size() != 1
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(
            coordinator
                .rest
                .get("/api/streams/info/fallbacks")
                .json()
                .get("fallbacks")
                .get(0)
                .textValue())
        .isEqualTo("http://127.0.0.1:8090");
  }

  @Test
  void aParentReportsASlowChildAndTheChildMoves() throws Exception {
    String publishKey = coordinator.createStream("slow");
    TestNode origin = join(new Message.Join("slow", "origin", publishKey, null, null));
    List<TestNode> viewers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      viewers.add(join(new Message.Join("slow", "viewer", null, null, null)));
    }
    TestNode slow = viewers.get(0); // a child of the origin
    assertThat(slow.welcome.parent()).isEqualTo(origin.id());
    origin.send(new Message.Report(slow.id(), "slow-child", "bufferedAmount above 4 MiB for 3 s"));
    Message.Reparent moved = slow.await(Message.Reparent.class);
    assertThat(moved.parent()).isNotEqualTo(origin.id());
    assertThat(moved.reason()).isEqualTo("reported-slow-child");
    TreeView tree = TreeView.fetch(coordinator.rest, "slow").assertValid();
    assertThat(tree.node(slow.id()).parent()).isEqualTo(moved.parent());

    // A report about a node that is not your child is refused.
    origin.send(new Message.Report(viewers.get(7).id(), "slow-child", null));
    origin.awaitError("report-ignored");
  }

  @Test
  void aChildReportsBadDataAndGetsANewParent() throws Exception {
    String publishKey = coordinator.createStream("liar");
    join(new Message.Join("liar", "origin", publishKey, null, null));
    List<TestNode> viewers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      viewers.add(join(new Message.Join("liar", "viewer", null, null, null)));
    }
    TestNode child = viewers.get(4); // depth 2, under viewers.get(0)
    String liar = child.welcome.parent();
    child.send(new Message.Report(liar, "bad-data", "chunk 2 of segment 9 failed SHA-256"));
    Message.Reparent moved = child.await(Message.Reparent.class);
    assertThat(moved.parent()).isNotEqualTo(liar);
    TreeView tree = TreeView.fetch(coordinator.rest, "liar").assertValid();
    assertThat(tree.node(liar).children()).doesNotContain(child.id());
  }

  @Test
  @DisplayName(
      "one child's withheld report moves it; a second child's demotes the parent to a leaf, whatever"
          + " its uplink")
  void twoChildrenDemoteAWithholdingParent() throws Exception {
    String publishKey = coordinator.createStream("withheld");
    join(new Message.Join("withheld", "origin", publishKey, null, null));
    Map<String, TestNode> byId = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      TestNode v = join(new Message.Join("withheld", "viewer", null, true, FAST_UPLINK_KBPS));
      byId.put(v.id(), v);
    }
    TreeView tree = TreeView.fetch(coordinator.rest, "withheld").assertValid();
    TreeView.Node parentNode =
        tree.nodes.values().stream()
            .filter(n -> n.role().equals("viewer") && n.children().size() >= 3)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no viewer with 3 children: " + tree.nodes));
    TestNode parent = byId.get(parentNode.id());
    TestNode first = byId.get(parentNode.children().get(0));
    TestNode second = byId.get(parentNode.children().get(1));
    TestNode third = byId.get(parentNode.children().get(2));

    first.send(
        new Message.Report(parent.id(), "starving", "2% of the last 10 s from the parent", 0.02));
    Message.Reparent moved = first.await(Message.Reparent.class);
    assertThat(moved.reason()).isEqualTo("reported-starving");
    assertThat(moved.parent()).isNotEqualTo(parent.id());
    TreeView afterOne = TreeView.fetch(coordinator.rest, "withheld").assertValid();
    assertThat(afterOne.node(parent.id()).capacity())
        .as("one report demotes nobody: the parent loses that child's slot")
        .isEqualTo(parentNode.children().size() - 1);
    assertThat(afterOne.node(parent.id()).children()).contains(second.id(), third.id());

    second.send(
        new Message.Report(parent.id(), "starving", "nothing from the parent for 10 s", 0.0));
    assertThat(second.await(Message.Reparent.class).parent()).isNotEqualTo(parent.id());
    assertThat(third.await(Message.Reparent.class).parent())
        .as("every child leaves a demoted parent")
        .isNotEqualTo(parent.id());
    TreeView demoted = TreeView.fetch(coordinator.rest, "withheld").assertValid();
    assertThat(demoted.node(parent.id()).capacity()).isZero();
    assertThat(demoted.node(parent.id()).children()).isEmpty();
    assertThat(demoted.size()).as("the demoted node keeps watching").isEqualTo(11);

    // Its heartbeats go on reporting a fast uplink: it stays a leaf.
    parent.send(new Message.Heartbeat(FAST_UPLINK_KBPS * 2, null));
    parent.send(new Message.Heartbeat(FAST_UPLINK_KBPS, null));
    Thread.sleep(300);
    assertThat(TreeView.fetch(coordinator.rest, "withheld").node(parent.id()).capacity()).isZero();
  }

  @Test
  @DisplayName("a node the repair has no slot for is told it was evicted, over its own socket")
  void anEvictedNodeIsTold() throws Exception {
    String publishKey = coordinator.createStream("full");
    TestNode origin = join(new Message.Join("full", "origin", publishKey, null, null));
    TestNode parent = join(new Message.Join("full", "viewer", null, true, FAST_UPLINK_KBPS));
    assertThat(parent.welcome.parent()).isEqualTo(origin.id());
    for (int i = 0; i < 3; i++) {
      join(new Message.Join("full", "viewer", null, false, null)); // leaves: the origin is full
    }
    List<TestNode> orphans = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      TestNode child = join(new Message.Join("full", "viewer", null, false, null));
      assertThat(child.welcome.parent()).isEqualTo(parent.id());
      orphans.add(child);
    }

    // Its four children can go nowhere but the one slot it frees at the origin.
    parent.send(new Message.Leave());
    int evicted = 0;
    for (TestNode orphan : orphans) {
      Message m =
          orphan.awaitMatching(
              x ->
                  x instanceof Message.Reparent
                      || x instanceof Message.Error e && e.code().equals("evicted"),
              10_000,
              "reparent or evicted");
      if (m instanceof Message.Error) {
        evicted++;
        assertThat(TreeView.fetch(coordinator.rest, "full").assertValid().nodes)
            .doesNotContainKey(orphan.id());
      }
    }
    assertThat(evicted).as("three of four orphans have no slot left").isEqualTo(3);
  }

  @Test
  @DisplayName(
      "children on a weak line move and take their slots with them; the parent is not demoted")
  void weakReportsCostSlotsNotADemotion() throws Exception {
    String publishKey = coordinator.createStream("weak");
    join(new Message.Join("weak", "origin", publishKey, null, null));
    Map<String, TestNode> byId = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      TestNode v = join(new Message.Join("weak", "viewer", null, true, FAST_UPLINK_KBPS));
      byId.put(v.id(), v);
    }
    TreeView tree = TreeView.fetch(coordinator.rest, "weak").assertValid();
    TreeView.Node parentNode =
        tree.nodes.values().stream()
            .filter(n -> n.role().equals("viewer") && n.children().size() == 4)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no viewer with 4 children: " + tree.nodes));
    String parent = parentNode.id();
    for (int i = 0; i < 2; i++) {
      TestNode child = byId.get(parentNode.children().get(i));
      child.send(
          new Message.Report(parent, "starving", "35% of the last 10 s from the parent", 0.35));
      assertThat(child.await(Message.Reparent.class).parent()).isNotEqualTo(parent);
    }
    TreeView after = TreeView.fetch(coordinator.rest, "weak").assertValid();
    assertThat(after.node(parent).capacity())
        .as("two weak reports cost two slots, not all four (a demotion)")
        .isEqualTo(2);
    assertThat(after.node(parent).children())
        .containsExactly(parentNode.children().get(2), parentNode.children().get(3));
  }

  @Test
  @DisplayName(
      "slots a weak line's reports took come back, one per quiet period, with its heartbeats")
  void slotsTakenByReportsAreEarnedBack() throws Exception {
    coordinator.close();
    coordinator = TestCoordinator.start(Map.of("tree.earnSlotMs", "1000"));
    String publishKey = coordinator.createStream("earn");
    join(new Message.Join("earn", "origin", publishKey, null, null));
    Map<String, TestNode> byId = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      TestNode v = join(new Message.Join("earn", "viewer", null, true, FAST_UPLINK_KBPS));
      byId.put(v.id(), v);
    }
    TreeView.Node parentNode =
        TreeView.fetch(coordinator.rest, "earn").assertValid().nodes.values().stream()
            .filter(n -> n.role().equals("viewer") && n.children().size() == 4)
            .findFirst()
            .orElseThrow();
    TestNode parent = byId.get(parentNode.id());
    for (int i = 0; i < 2; i++) {
      TestNode child = byId.get(parentNode.children().get(i));
      child.send(new Message.Report(parent.id(), "starving", "35% of the last 10 s", 0.35));
      child.await(Message.Reparent.class);
    }
    assertThat(TreeView.fetch(coordinator.rest, "earn").node(parent.id()).capacity()).isEqualTo(2);

    // Two reports double the first quiet period twice (4 s); then a slot a second.
    long deadline = System.currentTimeMillis() + 30_000;
    int capacity = 2;
    while (capacity < 4 && System.currentTimeMillis() < deadline) {
      parent.send(new Message.Heartbeat(FAST_UPLINK_KBPS, null));
      Thread.sleep(250);
      capacity =
          TreeView.fetch(coordinator.rest, "earn").assertValid().node(parent.id()).capacity();
    }
    assertThat(capacity).as("its slots earned back within 30 s").isEqualTo(4);
  }

  @Test
  @DisplayName("heartbeats of viewers with nothing to earn cost the tree no mutation")
  void heartbeatsWithNothingToEarnLeaveTheTreeAlone() throws Exception {
    coordinator.close();
    coordinator = TestCoordinator.start(Map.of("tree.earnSlotMs", "1000"));
    String publishKey = coordinator.createStream("calm");
    join(new Message.Join("calm", "origin", publishKey, null, null));
    List<TestNode> viewers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      viewers.add(join(new Message.Join("calm", "viewer", null, true, FAST_UPLINK_KBPS)));
    }
    double before = resizes();
    for (int beat = 0; beat < 12; beat++) { // 3 s: three quiet periods
      for (TestNode v : viewers) {
        v.send(new Message.Heartbeat(FAST_UPLINK_KBPS, null));
      }
      Thread.sleep(250);
    }
    assertThat(resizes() - before).as("tree mutations for 72 unchanged heartbeats").isZero();
  }

  private double resizes() {
    return coordinator
        .rest
        .get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith("waterfall_tree_resizes_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}

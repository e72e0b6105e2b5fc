package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("placement through /ws: slots, opt-out, boosters, a full tree")
class PlacementTest {
  private TestCoordinator coordinator;
  private Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    // The geometry of viewers with every slot; a newcomer's fewer slots are NewcomerTest's.
    coordinator = TestCoordinator.start(Map.of("tree.newcomerSlots", "4"));
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
    vertx.close();
    coordinator.close();
  }

  private TestNode join(String stream, String role, String key, Boolean upload, Integer uplink) {
    TestNode n = TestNode.connect(vertx, coordinator.baseUrl);
    nodes.add(n);
    n.send(new Message.Join(stream, role, key, upload, uplink));
    n.welcome = n.await(Message.Welcome.class);
    return n;
  }

  @Test
  void slotsFollowTheDeclaredUplinkAndOptOutMakesALeaf() throws Exception {
    // 3000 kbps: 8000 kbps carries floor(8000/3000*0.8) = 2
    String key = coordinator.createStream("slots");
    join("slots", "origin", key, null, null);
    TestNode two = join("slots", "viewer", null, true, 8000);
    TestNode leaf = join("slots", "viewer", null, false, null);
    assertThat(two.welcome.capacity()).isEqualTo(2);
    assertThat(leaf.welcome.capacity()).isZero();
    for (int i = 0; i < 30; i++) {
      join("slots", "viewer", null, null, null);
    }
    TreeView tree = TreeView.fetch(coordinator.rest, "slots").assertValid();
    assertThat(tree.node(leaf.id()).children()).isEmpty();
    assertThat(tree.node(two.id()).children()).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  void aMeasuredUplinkMovesChildrenBeyondTheNewSlots() throws Exception {
    String key = coordinator.createStream("measured");
    join("measured", "origin", key, null, null);
    List<TestNode> first = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      first.add(join("measured", "viewer", null, null, null));
    }
    TestNode parent = first.get(0);
    List<TestNode> children = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      TestNode c = join("measured", "viewer", null, null, null);
      if (c.welcome.parent().equals(parent.id())) {
        children.add(c);
      }
    }
    assertThat(children).hasSize(4);
    parent.send(new Message.Heartbeat(4000, null)); // 4000 kbps at 3000 kbps: one slot
    for (int i = 0; i < 3; i++) {
      parent.await(Message.ChildLeft.class);
    }
    TreeView tree = TreeView.fetch(coordinator.rest, "measured").assertValid();
    assertThat(tree.node(parent.id()).children()).hasSize(1);
    assertThat(tree.node(parent.id()).capacity()).isEqualTo(1);
  }

  @Test
  void aBoosterTakesAViewersPlaceNearTheRoot() throws Exception {
    String key = coordinator.createStream("backbone");
    String token =
        coordinator.rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();
    TestNode origin = join("backbone", "origin", key, null, null);
    for (int i = 0; i < 20; i++) {
      join("backbone", "viewer", null, null, null); // depths 1 and 2 are full
    }
    TestNode booster = join("backbone", "booster", token, null, null);
    assertThat(booster.welcome.depth()).isEqualTo(1);
    assertThat(booster.welcome.parent()).isEqualTo(origin.id());
    TreeView tree = TreeView.fetch(coordinator.rest, "backbone").assertValid();
    List<String> underBooster = tree.node(booster.id()).children();
    assertThat(underBooster).hasSize(1);
    TestNode displaced =
        nodes.stream()
            .filter(n -> n.welcome.nodeId().equals(underBooster.get(0)))
            .findFirst()
            .orElseThrow();
    Message.Reparent r = displaced.await(Message.Reparent.class);
    assertThat(r.parent()).isEqualTo(booster.id());
    assertThat(r.reason()).isEqualTo("booster-joined");
    origin.awaitExactly(new Message.ChildLeft(displaced.id()));
  }

  @Test
  @DisplayName(
      "a booster's maxChildren caps its slots; none declared: the stream's; out of range: refused")
  void aBoosterTakesNoMoreChildrenThanItsOperatorAllows() throws Exception {
    String key = coordinator.createStream("capped");
    String token =
        coordinator.rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();
    join("capped", "origin", key, null, null);
    TestNode one = boosterWithMax("capped", token, 1);
    TestNode none = boosterWithMax("capped", token, 0);
    TestNode full = boosterWithMax("capped", token, null);
    assertThat(one.welcome.capacity()).isEqualTo(1);
    assertThat(none.welcome.capacity()).isZero();
    assertThat(full.welcome.capacity()).as("today's default: the stream's 4").isEqualTo(4);
    for (int i = 0; i < 30; i++) {
      join("capped", "viewer", null, null, null);
    }
    TreeView tree = TreeView.fetch(coordinator.rest, "capped").assertValid();
    assertThat(tree.node(one.id()).capacity()).isEqualTo(1);
    assertThat(tree.node(one.id()).children()).hasSize(1);
    assertThat(tree.node(none.id()).children()).isEmpty();
    assertThat(tree.node(full.id()).children()).hasSize(4);

    TestNode bad = TestNode.connect(vertx, coordinator.baseUrl);
    nodes.add(bad);
    bad.send(new Message.Join("capped", "booster", token, null, null, null, null, null, null, 65));
    assertThat(bad.awaitError("invalid-message").message()).contains("maxChildren");
  }

  private TestNode boosterWithMax(String stream, String token, Integer maxChildren) {
    TestNode n = TestNode.connect(vertx, coordinator.baseUrl);
    nodes.add(n);
    n.send(
        new Message.Join(
            stream, "booster", token, null, null, null, null, null, null, maxChildren));
    n.welcome = n.await(Message.Welcome.class);
    return n;
  }

  @Test
  void aViewerWithMoreSlotsTakesAWeakerViewersPlace() throws Exception {
    String key = coordinator.createStream("swap"); // 3000 kbps: 4000 kbps carries one child
    TestNode origin = join("swap", "origin", key, null, null);
    TestNode weak = join("swap", "viewer", null, true, 4000);
    for (int i = 0; i < 3; i++) {
      join("swap", "viewer", null, null, null); // the origin's slots are now full
    }
    TestNode strong = join("swap", "viewer", null, null, null);
    assertThat(strong.welcome.parent()).isEqualTo(origin.id());
    assertThat(strong.welcome.depth()).isEqualTo(1);
    Message.Reparent r = weak.await(Message.Reparent.class);
    assertThat(r.parent()).isEqualTo(strong.id());
    assertThat(r.depth()).isEqualTo(2);
    assertThat(r.reason()).isEqualTo("viewer-joined");
    origin.awaitExactly(new Message.ChildLeft(weak.id()));
    TreeView tree = TreeView.fetch(coordinator.rest, "swap").assertValid();
    assertThat(tree.node(strong.id()).children()).containsExactly(weak.id());
  }

  @Test
  void aFullTreeSaysSoInsteadOfFailing() throws Exception {
    String key = coordinator.createStream("full");
    join("full", "origin", key, null, null);
    for (int i = 0; i < 4; i++) {
      join("full", "viewer", null, false, null);
    }
    TestNode late = TestNode.connect(vertx, coordinator.baseUrl);
    nodes.add(late);
    late.send(new Message.Join("full", "viewer", null, false, null));
    late.awaitError("no-slot");
    assertThat(TreeView.fetch(coordinator.rest, "full").assertValid().size()).isEqualTo(5);
  }
}

package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("an interior node departs: its children are re-attached and told")
class RepairTest {
  private TestCoordinator coordinator;
  private Vertx vertx;
  private final Map<String, TestNode> nodes = new LinkedHashMap<>();

  @BeforeEach
  void tree() throws Exception {
    // Repairs of full-slot viewers' subtrees; a newcomer's fewer slots are NewcomerTest's.
    coordinator =
        TestCoordinator.start(
            Map.of("liveness.heartbeatIntervalMs", "300", "tree.newcomerSlots", "4"));
    vertx = Vertx.vertx();
    String key = coordinator.createStream("repair");
    TestNode origin = TestNode.join(vertx, coordinator.baseUrl, "repair", "origin", key);
    nodes.put(origin.id(), origin);
    for (int i = 0; i < 120; i++) {
      TestNode v = TestNode.join(vertx, coordinator.baseUrl, "repair", "viewer", null);
      nodes.put(v.id(), v);
    }
  }

  @AfterEach
  void stop() {
    nodes.values().forEach(TestNode::close);
    vertx.close();
    coordinator.close();
  }

  @ParameterizedTest(name = "{1} at depth {0}")
  @CsvSource({"1, crash", "1, leave", "1, silence", "3, crash", "3, leave"})
  void childrenGetReparentedAndTheTreeStaysValid(int depth, String how) {
    TreeView before = TreeView.fetch(coordinator.rest, "repair").assertValid();
    TreeView.Node victim =
        before.nodes.values().stream()
            .filter(n -> n.depth() == depth && !n.children().isEmpty())
            .findFirst()
            .orElseThrow();
    TestNode departing = nodes.remove(victim.id());
    nodes.values().forEach(TestNode::drain);
    if (how.equals("leave")) {
      departing.send(new Message.Leave());
      assertThat(departing.awaitClosed(5000)).as("leave closes the socket").isTrue();
    } else if (how.equals("silence")) {
      // socket open, no heartbeats: removed after 3 missed (heartbeat 300 ms here)
      departing.goSilent();
      departing.awaitError("silent");
    } else {
      departing.close();
    }

    // Every orphan hears where to go, and the tree the REST view shows agrees.
    List<String> orphans = victim.children();
    Map<String, Message.Reparent> told = new LinkedHashMap<>();
    for (String orphan : orphans) {
      told.put(orphan, nodes.get(orphan).await(Message.Reparent.class));
    }
    TreeView after = TreeView.fetch(coordinator.rest, "repair").assertValid();
    assertThat(after.size()).isEqualTo(before.size() - 1);
    assertThat(after.node(victim.id())).isNull();
    assertThat(after.maxDepth()).isLessThanOrEqualTo(TreeView.depthBound(after.size()));
    for (var e : told.entrySet()) {
      TreeView.Node now = after.node(e.getKey());
      assertThat(e.getValue().parent()).isEqualTo(now.parent());
      assertThat(e.getValue().depth()).isEqualTo(now.depth());
    }
    // Whoever changed parent besides the orphans (e.g. a leaf moved into the vacancy) was told as
    // well.
    List<String> moved = new ArrayList<>();
    for (TreeView.Node n : after.nodes.values()) {
      TreeView.Node was = before.node(n.id());
      if (was.parent() != null && !was.parent().equals(n.parent()) && !orphans.contains(n.id())) {
        moved.add(n.id());
      }
    }
    for (String id : moved) {
      assertThat(nodes.get(id).await(Message.Reparent.class).parent())
          .isEqualTo(after.node(id).parent());
    }
    // The new parents were told to expect each child.
    for (String orphan : orphans) {
      String newParent = after.node(orphan).parent();
      nodes.get(newParent).awaitExactly(new Message.ChildJoined(orphan));
    }
    // The departed node's own parent hears it is gone.
    nodes.get(victim.parent()).awaitExactly(new Message.ChildLeft(victim.id()));
  }
}

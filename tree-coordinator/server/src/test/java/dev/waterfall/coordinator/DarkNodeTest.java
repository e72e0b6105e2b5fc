package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.CuttableLink;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An interior node whose network goes dark (a home offline): it stops heartbeating and answers
 * nothing, not even the coordinator's close, so its socket lingers until a closing or TCP timeout
 * (Vert.x's is 10 s). Its children must be re-attached as soon as its silence is noticed, not when
 * that socket finally ends (field lab c1: the cut booster stayed in the tree ~10 s longer).
 */
@DisplayName(
    "a node that goes dark is removed when its silence is noticed, not when its socket ends")
class DarkNodeTest {
  private TestCoordinator coordinator;
  private Vertx vertx;
  private final Map<String, TestNode> nodes = new LinkedHashMap<>();
  private final Map<String, CuttableLink> links = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    nodes.values().forEach(TestNode::close);
    links.values().forEach(CuttableLink::close);
    vertx.close();
    coordinator.close();
  }

  @Test
  void itsChildrenAreMovedOnceItsHeartbeatsAreMissed() throws Exception {
    coordinator =
        TestCoordinator.start(
            Map.of("liveness.heartbeatIntervalMs", "300", "tree.newcomerSlots", "4"));
    vertx = Vertx.vertx();
    String key = coordinator.createStream("dark");
    TestNode origin = TestNode.join(vertx, coordinator.baseUrl, "dark", "origin", key);
    nodes.put(origin.id(), origin);
    for (int i = 0; i < 7; i++) {
      CuttableLink link = CuttableLink.to(vertx, coordinator.baseUrl);
      TestNode v = TestNode.join(vertx, link.baseUrl, "dark", "viewer", null);
      nodes.put(v.id(), v);
      links.put(v.id(), link);
    }
    TreeView before = TreeView.fetch(coordinator.rest, "dark").assertValid();
    TreeView.Node victim =
        before.nodes.values().stream()
            .filter(n -> n.depth() == 1 && !n.children().isEmpty())
            .findFirst()
            .orElseThrow();
    nodes.values().forEach(TestNode::drain);

    links.get(victim.id()).cut();

    // Three missed heartbeats at 300 ms; the socket's own end would come only after 10 s.
    List<String> orphans = new ArrayList<>(victim.children());
    for (String orphan : orphans) {
      Message.Reparent r = nodes.get(orphan).await(Message.Reparent.class, 5_000);
      assertThat(r.parent()).isNotEqualTo(victim.id());
    }
    TreeView after = TreeView.fetch(coordinator.rest, "dark").assertValid();
    assertThat(after.node(victim.id())).isNull();
    assertThat(after.size()).isEqualTo(before.size() - 1);
  }
}

package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.support.Rest;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import dev.waterfall.testkit.process.CoordinatorProcess;
import dev.waterfall.testkit.process.Ports;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("two coordinator processes form one cluster and survive kill -9 of either")
class ClusterFailoverTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Vertx vertx = Vertx.vertx();
  private final List<TestNode> nodes = new ArrayList<>();
  private CoordinatorProcess a;
  private CoordinatorProcess b;

  @AfterEach
  void stop() throws Exception {
    nodes.forEach(TestNode::close);
    vertx.close();
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  private TestNode join(CoordinatorProcess c, String role, String key) {
    TestNode n = TestNode.join(vertx, c.baseUrl(), "live", role, key);
    nodes.add(n);
    return n;
  }

  @Test
  void signallingCrossesCoordinatorsAndPlacesSurviveAKill() throws Exception {
    String cluster = "failover-" + ProcessHandle.current().pid();
    int portA = Ports.free();
    int portB = Ports.free();
    a = TestCoordinator.process("a", cluster, portA, List.of(portB), "liveness.resumeGraceMs=6000");
    b = TestCoordinator.process("b", cluster, portB, List.of(portA), "liveness.resumeGraceMs=6000");
    a.awaitHealthy(2, Duration.ofSeconds(60));
    b.awaitHealthy(2, Duration.ofSeconds(60));

    var created = Rest.of(a).admin("POST", "/api/streams", "{\"name\":\"live\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String key = created.json().get("publishKey").textValue();

    // The origin on A, a viewer on B: its parent is on the other coordinator.
    TestNode origin = join(a, "origin", key);
    TestNode crossViewer = join(b, "viewer", null);
    assertThat(crossViewer.welcome.parent()).isEqualTo(origin.id());
    assertThat(crossViewer.welcome.coordinators())
        .containsExactlyInAnyOrder(a.baseUrl(), b.baseUrl());
    origin.awaitExactly(new Message.ChildJoined(crossViewer.id()));
    crossViewer.send(
        new Message.Signal(
            null, origin.id(), JSON.readTree("{\"type\":\"offer\",\"sdp\":\"v=0\"}")));
    Message.Signal offer = origin.await(Message.Signal.class);
    assertThat(offer.from()).isEqualTo(crossViewer.id());
    origin.send(
        new Message.Signal(
            null, crossViewer.id(), JSON.readTree("{\"type\":\"answer\",\"sdp\":\"v=0\"}")));
    assertThat(crossViewer.await(Message.Signal.class).data().get("type").textValue())
        .isEqualTo("answer");

    // More viewers on both; remember who was on A.
    List<TestNode> onA = new ArrayList<>(List.of(origin));
    for (int i = 0; i < 12; i++) {
      onA.add(join(a, "viewer", null));
      join(b, "viewer", null);
    }
    TreeView before = TreeView.fetch(Rest.of(b), "live").assertValid();
    assertThat(before.size()).isEqualTo(26);

    a.kill9();
    onA.forEach(n -> assertThat(n.awaitClosed(10_000)).isTrue());

    // Nothing lost: the survivor's view is the whole tree.
    TreeView survived = TreeView.fetch(Rest.of(b), "live").assertValid();
    assertThat(survived.nodes).isEqualTo(before.nodes);

    // A's clients come back on B with their resume tokens and get their places back (all but one,
    // which we leave out).
    TestNode straggler = onA.get(onA.size() - 1);
    for (TestNode old : onA.subList(0, onA.size() - 1)) {
      TestNode back = TestNode.connect(vertx, b.baseUrl());
      nodes.add(back);
      back.send(old.resume(old.welcome.resumeToken()));
      Message.Welcome w = back.await(Message.Welcome.class);
      assertThat(w.resumed()).isTrue();
      assertThat(w.nodeId()).isEqualTo(old.id());
      assertThat(w.parent()).isEqualTo(before.node(old.id()).parent());
      assertThat(w.depth()).isEqualTo(before.node(old.id()).depth());
      // Where to go next time: B, and A only while the cluster has not yet noticed its death.
      assertThat(w.coordinators()).contains(b.baseUrl()).isSubsetOf(a.baseUrl(), b.baseUrl());
    }
    assertThat(TreeView.fetch(Rest.of(b), "live").assertValid().nodes).isEqualTo(before.nodes);

    // The one that never came back is removed once the grace period is over, and the tree stays
    // valid.
    long deadline = System.currentTimeMillis() + 30_000;
    TreeView later = TreeView.fetch(Rest.of(b), "live");
    while (later.node(straggler.id()) != null && System.currentTimeMillis() < deadline) {
      Thread.sleep(250);
      later = TreeView.fetch(Rest.of(b), "live");
    }
    assertThat(later.node(straggler.id())).isNull();
    assertThat(later.assertValid().size()).isEqualTo(25);
  }
}

package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("an origin and 1,000 viewers join through /ws")
class ThousandViewersTest {
  private static TestCoordinator coordinator;
  private static Vertx vertx;
  private static TestNode origin;
  private static final List<TestNode> viewers = new ArrayList<>();

  @BeforeAll
  static void joinEveryone() throws Exception {
    // The geometry of viewers with every slot; a newcomer's fewer slots are NewcomerTest's.
    coordinator = TestCoordinator.start(Map.of("tree.newcomerSlots", "4"));
    vertx = Vertx.vertx();
    String key = coordinator.createStream("thousand");
    origin = TestNode.join(vertx, coordinator.baseUrl, "thousand", "origin", key);
    for (int i = 0; i < 1000; i++) {
      viewers.add(TestNode.join(vertx, coordinator.baseUrl, "thousand", "viewer", null));
    }
  }

  @AfterAll
  static void stop() {
    viewers.forEach(TestNode::close);
    origin.close();
    vertx.close();
    coordinator.close();
  }

  @Test
  void theTreeHoldsEveryNodeShallowAndWithinFanOut() {
    TreeView tree = TreeView.fetch(coordinator.rest, "thousand").assertValid();
    assertThat(tree.size()).isEqualTo(1001);
    assertThat(tree.root.id()).isEqualTo(origin.id());
    assertThat(tree.root.role()).isEqualTo("origin");
    assertThat(tree.nodes.values())
        .allSatisfy(n -> assertThat(n.children()).hasSizeLessThanOrEqualTo(4));
    // 1 + 4 + 16 + 64 + 256 = 341 nodes fill depths 0..4; the other 660 sit at depth 5.
    assertThat(tree.maxDepth()).isEqualTo(5);
  }

  @Test
  void eachWelcomeNamedTheParentTheTreeShows() {
    TreeView tree = TreeView.fetch(coordinator.rest, "thousand");
    for (TestNode v : viewers) {
      TreeView.Node n = tree.node(v.id());
      assertThat(n).isNotNull();
      assertThat(v.welcome.parent()).isEqualTo(n.parent());
      assertThat(v.welcome.depth()).isEqualTo(n.depth());
      assertThat(v.welcome.resumeToken()).isNotBlank();
    }
  }

  @Test
  void parentsAreToldOfEachChild() {
    Map<String, TestNode> byId = new HashMap<>();
    viewers.forEach(v -> byId.put(v.id(), v));
    byId.put(origin.id(), origin);
    TestNode sample = viewers.get(10);
    TestNode parent = byId.get(sample.welcome.parent());
    List<String> announced = new ArrayList<>();
    for (Message m : parent.drain()) {
      if (m instanceof Message.ChildJoined c) {
        announced.add(c.child());
      }
    }
    assertThat(announced).contains(sample.id());
  }

  @Test
  void signalsRoundTripOnTreeEdges() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, TestNode> byId = new HashMap<>();
    viewers.forEach(v -> byId.put(v.id(), v));
    byId.put(origin.id(), origin);
    for (TestNode child :
        List.of(viewers.get(0), viewers.get(7), viewers.get(99), viewers.get(999))) {
      TestNode parent = byId.get(child.welcome.parent());
      child.send(
          new Message.Signal(
              null,
              parent.id(),
              json.readTree("{\"type\":\"offer\",\"sdp\":\"v=0 " + child.id() + "\"}")));
      Message.Signal offer = parent.await(Message.Signal.class);
      assertThat(offer.from()).isEqualTo(child.id());
      assertThat(offer.data().get("sdp").textValue()).endsWith(child.id());
      parent.send(
          new Message.Signal(
              null, child.id(), json.readTree("{\"type\":\"answer\",\"sdp\":\"v=0 ok\"}")));
      Message.Signal answer = child.await(Message.Signal.class);
      assertThat(answer.from()).isEqualTo(parent.id());
      assertThat(answer.data().get("type").textValue()).isEqualTo("answer");
    }
  }
}

package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("bad input earns an error and disturbs no one")
class BadInputTest {
  private static TestCoordinator coordinator;
  private static Vertx vertx;
  private static String publishKey;
  private static TestNode origin;
  private static final List<TestNode> viewers = new ArrayList<>();
  private static final ObjectMapper JSON = new ObjectMapper();
  private TreeView before;
  private final List<String> temporary = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // A small burst so the flood test trips the limiter quickly.
    coordinator =
        TestCoordinator.start(
            Map.of(
                "signalling.messagesPerSecond",
                "20",
                "signalling.messageBurst",
                "40",
                "signalling.maxRateViolations",
                "10"));
    vertx = Vertx.vertx();
    publishKey = coordinator.createStream("bad");
    origin = TestNode.join(vertx, coordinator.baseUrl, "bad", "origin", publishKey);
    for (int i = 0; i < 10; i++) {
      viewers.add(TestNode.join(vertx, coordinator.baseUrl, "bad", "viewer", null));
    }
  }

  @AfterAll
  static void stop() {
    viewers.forEach(TestNode::close);
    origin.close();
    vertx.close();
    coordinator.close();
  }

  @BeforeEach
  void snapshot() {
    before = TreeView.fetch(coordinator.rest, "bad").assertValid();
  }

  @AfterEach
  void treeAndOthersUntouched() throws Exception {
    TreeView after = TreeView.fetch(coordinator.rest, "bad");
    for (int i = 0; i < 100 && temporary.stream().anyMatch(after.nodes::containsKey); i++) {
      Thread.sleep(50);
      after = TreeView.fetch(coordinator.rest, "bad");
    }
    after.assertValid();
    assertThat(after.nodes.keySet()).isEqualTo(before.nodes.keySet());
    assertThat(after.nodes).isEqualTo(before.nodes);
    // A well-behaved viewer still gets its signal across.
    TestNode control = viewers.get(9);
    control.send(
        new Message.Signal(null, control.welcome.parent(), JSON.readTree("{\"probe\":1}")));
    TestNode parent =
        control.welcome.parent().equals(origin.id())
            ? origin
            : viewers.stream()
                .filter(v -> v.id().equals(control.welcome.parent()))
                .findFirst()
                .orElseThrow();
    assertThat(parent.await(Message.Signal.class).from()).isEqualTo(control.id());
  }

  private TestNode joinedViewer() {
    TestNode n = TestNode.join(vertx, coordinator.baseUrl, "bad", "viewer", null);
    // a leaf that departs when the test closes it; the rest must be as before
    temporary.add(n.id());
    return n;
  }

  @Test
  void malformedJson() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.sendRaw("{\"v\":1,\"type\":");
      n.awaitError("malformed-json");
      n.sendRaw("not json at all");
      n.awaitError("malformed-json");
      assertThat(n.isClosed()).as("a parse error does not cost the connection").isFalse();
    }
  }

  @Test
  void unknownTypeAndMissingVersion() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.sendRaw("{\"v\":1,\"type\":\"teleport\"}");
      n.awaitError("unknown-type");
      n.sendRaw("{\"type\":\"join\",\"stream\":\"bad\",\"role\":\"viewer\"}");
      n.awaitError("unsupported-version");
    }
  }

  @Test
  void oversizedFrame() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.sendRaw(
          "{\"v\":1,\"type\":\"heartbeat\",\"stats\":{\"pad\":\"" + "x".repeat(100_000) + "\"}}");
      n.awaitError("too-large");
    }
  }

  @Test
  void frameBeyondTheHardCapClosesTheSocket() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.sendRaw("x".repeat(2_000_000));
      assertThat(n.awaitClosed(5000)).isTrue();
    }
  }

  @Test
  void messagesBeforeJoin() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.send(new Message.Heartbeat(null, null));
      n.awaitError("not-joined");
    }
  }

  @Test
  void signalToANodeThatIsNotANeighbour() throws Exception {
    try (TestNode n = joinedViewer()) {
      String stranger =
          viewers.stream()
              .map(TestNode::id)
              .filter(id -> !id.equals(n.welcome.parent()))
              .findFirst()
              .orElseThrow();
      n.send(new Message.Signal(null, stranger, JSON.readTree("{\"sdp\":\"x\"}")));
      n.awaitError("not-neighbour");
      n.send(new Message.Signal(null, "no-such-node", JSON.readTree("{\"sdp\":\"x\"}")));
      n.awaitError("not-neighbour");
      n.send(new Message.Signal(null, n.id(), JSON.readTree("{\"sdp\":\"x\"}")));
      n.awaitError("not-neighbour");
      TestNode strangerNode =
          viewers.stream().filter(v -> v.id().equals(stranger)).findFirst().orElseThrow();
      assertThat(strangerNode.quietFor(Message.Signal.class, 300)).isTrue();
    }
  }

  @Test
  void floodIsLimitedThenCut() {
    try (TestNode n = joinedViewer()) {
      for (int i = 0; i < 300; i++) {
        n.send(new Message.Heartbeat(null, null));
      }
      n.awaitError("rate-limited");
      assertThat(n.awaitClosed(5000)).as("a socket that keeps flooding is closed").isTrue();
    }
  }

  @Test
  void joinToAnUnknownStream() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.send(new Message.Join("nope", "viewer", null, null, null));
      n.awaitError("unknown-stream");
      assertThat(n.isClosed()).isFalse();
    }
  }

  @Test
  void wrongPublishKeyIsRefusedAndClosed() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.send(new Message.Join("bad", "origin", "not-the-key", null, null));
      n.awaitError("bad-credential");
      assertThat(n.awaitClosed(5000)).isTrue();
    }
  }

  @Test
  void secondOriginIsRefused() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.send(new Message.Join("bad", "origin", publishKey, null, null));
      n.awaitError("origin-taken");
      assertThat(n.awaitClosed(5000)).isTrue();
    }
  }

  @Test
  void wrongBoosterTokenIsRefusedAndClosed() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.send(new Message.Join("bad", "booster", "forged", null, null));
      n.awaitError("bad-credential");
      assertThat(n.awaitClosed(5000)).isTrue();
    }
  }

  @Test
  void forgedResumeTokenIsRefused() {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.send(new Message.Resume("bad", viewers.get(0).id(), "forged"));
      n.awaitError("bad-credential");
      assertThat(n.awaitClosed(5000)).isTrue();
    }
  }

  @Test
  void joiningTwiceOnOneSocket() {
    try (TestNode n = joinedViewer()) {
      n.send(new Message.Join("bad", "viewer", null, null, null));
      n.awaitError("already-joined");
    }
  }

  @Test
  void serverOnlyMessagesAreRefused() {
    try (TestNode n = joinedViewer()) {
      n.send(new Message.Reparent("x", 1, "because"));
      n.awaitError("unexpected-type");
    }
  }
}

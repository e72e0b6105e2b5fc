package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("what the data plane needs: the signing key, the fallback list, reports")
class DataPlaneInfoTest {
  private static final String KEY = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
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
    String token = coordinator.rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();
    TestNode origin = join(new Message.Join("info", "origin", publishKey, null, null, KEY, "http://127.0.0.1:8090"));
    assertThat(origin.welcome.stream().publicKey()).isEqualTo(KEY);
    TestNode booster = join(new Message.Join("info", "booster", token, null, null, null, "http://127.0.0.1:8091"));
    TestNode viewer = join(new Message.Join("info", "viewer", null, null, null, null, "http://ignored:1"));
    assertThat(viewer.welcome.stream().publicKey()).isEqualTo(KEY);
    assertThat(viewer.welcome.fallbacks()).containsExactly("http://127.0.0.1:8090", "http://127.0.0.1:8091");
    assertThat(coordinator.rest.get("/api/streams/info/fallbacks").json().get("fallbacks")).hasSize(2);
    assertThat(coordinator.rest.get("/api/streams/info/fallbacks").json().get("publicKey").textValue()).isEqualTo(KEY);

    booster.send(new Message.Leave());
    assertThat(booster.awaitClosed(5000)).isTrue();
    long deadline = System.currentTimeMillis() + 5000;
    while (coordinator.rest.get("/api/streams/info/fallbacks").json().get("fallbacks").size() != 1
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(coordinator.rest.get("/api/streams/info/fallbacks").json().get("fallbacks").get(0).textValue())
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
}

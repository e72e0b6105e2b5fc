package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.TestClock;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import dev.waterfall.protocol.NodeKey;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A resume token takes back a place only when its node has lost its coordinator: never while the
 * node is connected (to this coordinator or another), not once the place has been resumed since,
 * not after the node left or its place was given up. Two coordinators in one cluster, real
 * WebSockets.
 */
@DisplayName("resume tokens: a place is taken back only by its own node, once")
class ResumeTokenTest {
  private final Vertx vertx = Vertx.vertx();
  private TestCoordinator a;
  private TestNode origin;
  private TestNode viewer;
  private TestCoordinator b;

  @AfterEach
  void stop() {
    vertx.close();
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private void cluster(Map<String, String> settings) throws Exception {
    a = TestCoordinator.start(settings);
    b = a.startPeer(settings);
  }

  /** Coordinators A and B on one clock the test moves. */
  private void cluster(Map<String, String> settings, TestClock clock) throws Exception {
    a = TestCoordinator.start(settings, clock);
    b = a.startPeer(settings, clock);
  }

  /**
   * The stage most tests start from: stream "live" created on B, its origin on B, a viewer on A.
   */
  private void originOnBViewerOnA() throws Exception {
    String key = b.createStream("live");
    origin = TestNode.join(vertx, b.baseUrl, "live", "origin", key);
    viewer = TestNode.join(vertx, a.baseUrl, "live", "viewer", null);
  }

  /**
   * This resume from a socket of its own on {@code where}: refused with {@code code}, and the
   * socket closed but after {@code unknown-node} (which invites a join on it: docs/protocol.md).
   */
  private void refused(TestCoordinator where, Message.Resume resume, String code) {
    refused(where, resume, code, "");
  }

  /** The same, the refusal's message containing {@code why}. */
  private void refused(TestCoordinator where, Message.Resume resume, String code, String why) {
    try (TestNode thief = TestNode.connect(vertx, where.baseUrl)) {
      thief.send(resume);
      assertThat(thief.awaitError(code).message()).contains(why);
      assertThat(thief.awaitClosed(5000))
          .as("closed after " + code)
          .isEqualTo(!code.equals("unknown-node"));
    }
  }

  @Test
  void aConnectedNodesPlaceCannotBeResumedHereOrOnAnotherCoordinator() throws Exception {
    cluster(Map.of());
    String key = a.createStream("live");
    TestNode origin = TestNode.join(vertx, a.baseUrl, "live", "origin", key);
    TestNode viewer = TestNode.join(vertx, a.baseUrl, "live", "viewer", null);
    // Even signed by the node's own key: a connected node's place is not for the taking.
    refused(b, viewer.resume(viewer.welcome.resumeToken()), "already-connected");
    refused(a, viewer.resume(viewer.welcome.resumeToken()), "already-connected");
    JsonNode node = node(b, viewer.id());
    assertThat(node.get("coordinator").textValue()).as("still held by A").isEqualTo(a.baseUrl);
    assertThat(node.get("parent").textValue()).isEqualTo(origin.id());
    assertThat(viewer.isClosed()).isFalse();
    origin.close();
    viewer.close();
  }

  @Test
  void aTokenIsSpentOnceItsPlaceHasBeenResumed() throws Exception {
    cluster(Map.of());
    originOnBViewerOnA();
    String first = viewer.welcome.resumeToken();

    a.close(); // graceful: A closes the viewer's socket and keeps its place for a resume elsewhere
    a = null;
    assertThat(viewer.awaitClosed(10_000)).isTrue();
    TestNode back = TestNode.connect(vertx, b.baseUrl);
    back.send(viewer.resume(first));
    Message.Welcome w = back.await(Message.Welcome.class);
    assertThat(w.resumed()).isTrue();
    assertThat(w.nodeId()).isEqualTo(viewer.id());
    assertThat(w.parent()).isEqualTo(origin.id());
    assertThat(w.resumeToken()).isNotEqualTo(first);

    // The first token again, while the node is connected on B, and once it has gone quiet there
    // too.
    refused(b, viewer.resume(first), "bad-credential");
    refused(b, viewer.resume(w.resumeToken()), "already-connected");
    assertThat(node(b, viewer.id()).get("coordinator").textValue()).isEqualTo(b.baseUrl);
    assertThat(back.isClosed()).isFalse();
    back.close();
    origin.close();
  }

  @Test
  void aTokenIsUselessOnceItsNodeLeftOrItsPlaceWasGivenUp() throws Exception {
    cluster(Map.of("liveness.resumeGraceMs", "1000"));
    String key = b.createStream("live");
    TestNode origin = TestNode.join(vertx, b.baseUrl, "live", "origin", key);

    // Left: its socket closed on a live coordinator, so the place is gone at once.
    TestNode left = TestNode.join(vertx, b.baseUrl, "live", "viewer", null);
    left.close();
    awaitGone(left.id());
    refused(b, left.resume(left.welcome.resumeToken()), "unknown-node");

    // Given up: its coordinator died and it did not come back within the grace period.
    TestNode stranded = TestNode.join(vertx, a.baseUrl, "live", "viewer", null);
    a.close();
    a = null;
    assertThat(stranded.awaitClosed(10_000)).isTrue();
    awaitGone(stranded.id());
    refused(b, stranded.resume(stranded.welcome.resumeToken()), "unknown-node");
    origin.close();
  }

  /**
   * A token is good for {@code liveness.resumeTokenTtlMs}; a connected node gets a fresh one at a
   * heartbeat once half of its token's life has passed, and resumes with that. One clock for the
   * cluster, moved forward by the test.
   */
  @Test
  void aTokenExpiresAndAConnectedNodeGetsFreshOnes() throws Exception {
    TestClock clock = new TestClock();
    Map<String, String> settings = Map.of("liveness.resumeTokenTtlMs", "60000");
    cluster(settings, clock);
    originOnBViewerOnA();
    String first = viewer.welcome.resumeToken();

    clock.advance(30_000); // half its life: the next heartbeat brings a fresh token
    origin.send(new Message.Heartbeat(null, null));
    viewer.send(new Message.Heartbeat(null, null));
    String second = viewer.await(Message.ResumeToken.class).resumeToken();
    assertThat(second).isNotEqualTo(first);
    clock.advance(30_001); // the first has expired, the second has half its life left
    origin.send(new Message.Heartbeat(null, null));
    viewer.send(new Message.Heartbeat(null, null));

    a.close(); // graceful: the viewer's place waits for a resume on B
    a = null;
    assertThat(viewer.awaitClosed(10_000)).isTrue();
    try (TestNode thief = TestNode.connect(vertx, b.baseUrl)) {
      thief.send(viewer.resumeAged(first, 60_001, null));
      assertThat(thief.awaitError("bad-credential").message()).contains("expired");
      assertThat(thief.awaitClosed(5000)).isTrue();
    }
    TestNode back = TestNode.connect(vertx, b.baseUrl);
    // The second reached it 30 s ago by the cluster's clock.
    back.send(viewer.resumeAged(second, 30_001, null));
    Message.Welcome w = back.await(Message.Welcome.class);
    assertThat(w.resumed()).isTrue();
    assertThat(w.parent()).isEqualTo(origin.id());
    back.close();
    origin.close();
  }

  /**
   * A token is bound to the address its node connected from: a copy presented from elsewhere is
   * refused and changes nothing, and the node itself still resumes. Behind a trusted proxy (here
   * the test itself), the forwarded address counts.
   */
  @Test
  void aTokenIsGoodOnlyFromTheAddressItWasIssuedTo() throws Exception {
    cluster(Map.of("http.trustedProxies", "127.0.0.1"));
    String key = b.createStream("live");
    TestNode origin = TestNode.join(vertx, b.baseUrl, "live", "origin", key);
    Map<String, String> home = Map.of("X-Forwarded-For", "203.0.113.5");
    JsonNode welcome;
    NodeKey nodeKey = NodeKey.generate();
    try (RawSocket node = RawSocket.connect(vertx, a.baseUrl, home)) {
      node.send(
          MessageCodec.encode(
              new Message.Join("live", "viewer", null, null, null)
                  .withNodeKey(nodeKey.publicKey())));
      welcome = next(node, "welcome");
      a.close(); // graceful: its place waits for a resume on B
      a = null;
      assertThat(node.awaitClosed(10_000)).isTrue();
    }
    String id = welcome.get("nodeId").textValue();
    String resume =
        MessageCodec.encode(
            nodeKey.resume("live", id, welcome.get("resumeToken").textValue(), 0, null));
    try (RawSocket thief =
        RawSocket.connect(vertx, b.baseUrl, Map.of("X-Forwarded-For", "198.51.100.7"))) {
      thief.send(resume);
      assertThat(thief.nextErrorCode(5000)).isEqualTo("bad-credential");
      assertThat(thief.awaitClosed(5000)).isTrue();
    }
    assertThat(node(b, id).get("parent").textValue()).isEqualTo(origin.id());
    try (RawSocket back = RawSocket.connect(vertx, b.baseUrl, home)) {
      back.send(resume);
      JsonNode w = next(back, "welcome");
      assertThat(w.get("resumed").booleanValue()).isTrue();
      assertThat(w.get("nodeId").textValue()).isEqualTo(id);
    }
    origin.close();
  }

  /**
   * A thief behind the node's own address (every socket here comes from 127.0.0.1, so the address
   * binding does not stop it) holds a copy of the token, within its life and the grace period.
   * Without the node's private key every resume is refused and the place keeps waiting for its
   * node, which then resumes.
   */
  @Test
  void aTokenCopiedWithoutTheNodesKeyTakesNothing() throws Exception {
    cluster(Map.of());
    originOnBViewerOnA();
    String token = viewer.welcome.resumeToken();
    a.close(); // graceful: the viewer's place waits for a resume on B
    a = null;
    assertThat(viewer.awaitClosed(10_000)).isTrue();

    // Unsigned, as every resume was before.
    refused(b, new Message.Resume("live", viewer.id(), token), "bad-credential", "key");
    // Signed by a key of the thief's own, named as such: the token is bound to the node's key.
    NodeKey thiefs = NodeKey.generate();
    Message.Resume forged = thiefs.resume("live", viewer.id(), token, 0, null);
    refused(b, forged, "bad-credential", "key");
    // Naming the node's key (public: it went out in the join) over the thief's signature.
    refused(b, withKey(forged, viewer.key.publicKey()), "bad-credential", "signed");
    // The node's own signature, the age it covers changed.
    Message.Resume own = viewer.resume(token);
    refused(
        b,
        new Message.Resume(
            own.stream(),
            own.nodeId(),
            own.resumeToken(),
            null,
            own.nodeKey(),
            own.tokenAgeMs() + 1,
            own.signature()),
        "bad-credential",
        "signed");
    JsonNode node = node(b, viewer.id());
    assertThat(node.path("coordinator").asText()).as("nobody took it").isNotEqualTo(b.baseUrl);
    assertThat(node.get("parent").textValue()).isEqualTo(origin.id());

    TestNode back = TestNode.connect(vertx, b.baseUrl);
    back.send(viewer.resume(token));
    Message.Welcome w = back.await(Message.Welcome.class);
    assertThat(w.resumed()).isTrue();
    assertThat(w.nodeId()).isEqualTo(viewer.id());
    assertThat(w.parent()).isEqualTo(origin.id());
    back.close();
    origin.close();
  }

  /**
   * A signed resume read off the wire buys nothing: replayed after its seconds it is stale, and
   * within them it finds the token spent by the resume it was copied from. The place is untouched
   * by the stale one, and the node's fresh signature takes it. One clock for the cluster.
   */
  @Test
  void aSignedResumeCannotBeReplayed() throws Exception {
    TestClock clock = new TestClock();
    Map<String, String> settings = Map.of("liveness.resumeGraceMs", "120000");
    cluster(settings, clock);
    originOnBViewerOnA();
    String token = viewer.welcome.resumeToken();
    Message.Resume captured = viewer.resumeAged(token, 0, null); // signed as the token arrived
    a.close(); // graceful: the viewer's place waits for a resume on B
    a = null;
    assertThat(viewer.awaitClosed(10_000)).isTrue();

    clock.advance(31_000);
    origin.send(new Message.Heartbeat(null, null));
    refused(b, captured, "bad-credential", "stale");
    assertThat(node(b, viewer.id()).path("coordinator").asText()).isNotEqualTo(b.baseUrl);

    Message.Resume fresh = viewer.resumeAged(token, 31_000, null);
    TestNode back = TestNode.connect(vertx, b.baseUrl);
    back.send(fresh);
    assertThat(back.await(Message.Welcome.class).resumed()).isTrue();
    refused(b, fresh, "bad-credential", "spent");
    assertThat(back.isClosed()).isFalse();
    assertThat(node(b, viewer.id()).get("coordinator").textValue()).isEqualTo(b.baseUrl);
    back.close();
    origin.close();
  }

  /**
   * No key, no token: a node that could not sign a resume is told to join afresh, not to resume.
   */
  @Test
  void aNodeThatNamesNoKeyGetsNoToken() throws Exception {
    cluster(Map.of());
    String key = a.createStream("live");
    TestNode origin = TestNode.join(vertx, a.baseUrl, "live", "origin", key);
    try (TestNode keyless = TestNode.connect(vertx, a.baseUrl)) {
      keyless.send(new Message.Join("live", "viewer", null, null, null));
      Message.Welcome w = keyless.await(Message.Welcome.class);
      assertThat(w.parent()).isEqualTo(origin.id());
      assertThat(w.resumeToken()).isNull();
    }
    assertThat(origin.welcome.resumeToken()).isNotNull();
    origin.close();
  }

  private static Message.Resume withKey(Message.Resume r, String nodeKey) {
    return new Message.Resume(
        r.stream(),
        r.nodeId(),
        r.resumeToken(),
        r.maxChildren(),
        nodeKey,
        r.tokenAgeMs(),
        r.signature());
  }

  private static JsonNode next(RawSocket socket, String type) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      JsonNode m = socket.next(Math.max(1, deadline - System.currentTimeMillis()));
      if (m != null && type.equals(m.path("type").asText())) {
        return m;
      }
      assertThat(m == null || !"error".equals(m.path("type").asText())).as("" + m).isTrue();
    }
    throw new AssertionError("no " + type + " within 10 s");
  }

  /**
   * A booster's operator allows it one child ({@code --max-children 1}); after a resume on another
   * coordinator its heartbeats still re-size it within that, not within the stream's four. A
   * booster that set no limit, resumed beside it, shows the heartbeats were applied.
   */
  @Test
  void aResumedBoosterKeepsItsMaxChildren() throws Exception {
    cluster(Map.of());
    String key = b.createStream("live");
    TestNode origin = TestNode.join(vertx, b.baseUrl, "live", "origin", key);
    String token =
        b.rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();
    TestNode capped =
        booster(
            a, new Message.Join("live", "booster", token, null, null, null, null, null, null, 1));
    // 4000 kbps carries one child of 3000 kbps: the same start, without a limit of its own.
    TestNode free = booster(a, new Message.Join("live", "booster", token, null, 4000));
    assertThat(capped.welcome.capacity()).isEqualTo(1);
    assertThat(free.welcome.capacity()).isEqualTo(1);

    a.close(); // graceful: both places wait for a resume on B
    a = null;
    assertThat(capped.awaitClosed(10_000)).isTrue();
    assertThat(free.awaitClosed(10_000)).isTrue();
    TestNode cappedBack = TestNode.connect(vertx, b.baseUrl);
    cappedBack.send(capped.resume(capped.welcome.resumeToken(), 1));
    assertThat(cappedBack.await(Message.Welcome.class).resumed()).isTrue();
    TestNode freeBack = TestNode.connect(vertx, b.baseUrl);
    freeBack.send(free.resume(free.welcome.resumeToken()));
    assertThat(freeBack.await(Message.Welcome.class).resumed()).isTrue();

    // An uplink worth far more than four children, the capped one's heartbeat first.
    cappedBack.send(new Message.Heartbeat(1_000_000, null));
    freeBack.send(new Message.Heartbeat(1_000_000, null));
    long deadline = System.currentTimeMillis() + 10_000;
    while (node(b, free.id()).get("capacity").intValue() != 4
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(node(b, free.id()).get("capacity").intValue()).as("the stream's 4").isEqualTo(4);
    assertThat(node(b, capped.id()).get("capacity").intValue()).as("its operator's 1").isEqualTo(1);
    cappedBack.close();
    freeBack.close();
    origin.close();
  }

  private TestNode booster(TestCoordinator where, Message.Join join) {
    return TestNode.join(vertx, where.baseUrl, join);
  }

  private void awaitGone(String id) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (find(b, id) != null && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(find(b, id)).as(id + " removed").isNull();
  }

  private static JsonNode node(TestCoordinator c, String id) {
    JsonNode n = find(c, id);
    assertThat(n).as("node " + id).isNotNull();
    return n;
  }

  private static JsonNode find(TestCoordinator c, String id) {
    for (JsonNode n : c.rest.get("/api/streams/live/tree").json().get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n;
      }
    }
    return null;
  }
}

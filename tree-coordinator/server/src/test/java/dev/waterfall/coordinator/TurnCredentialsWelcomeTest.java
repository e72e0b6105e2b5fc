package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.TestClock;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * TURN with time-limited credentials (TURN REST API, coturn's use-auth-secret) over real sockets:
 * what each welcome carries, that a resume gets new ones, and that a node connected for half their
 * life is sent fresh ones. TurnIT (relay-node/e2e) proves them against a real coturn.
 */
@DisplayName(
    "TURN: every welcome carries credentials of the node's own, renewed before they expire")
class TurnCredentialsWelcomeTest {
  private static final String STUN = "stun:stun.example.org:3478";
  private static final List<String> TURN =
      List.of(
          "turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp");
  // Made per run: no secret lives in the repository, not even a test's.
  private final String secret = randomSecret();
  private final Vertx vertx = Vertx.vertx();
  private final TestClock clock = new TestClock();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    vertx.close();
  }

  private Map<String, String> settings(int ttlSeconds) {
    Map<String, String> m = new HashMap<>();
    m.put("ice.servers", STUN);
    m.put("ice.turn.urls", String.join(",", TURN));
    m.put("ice.turn.secret", secret);
    m.put("ice.turn.ttlSeconds", Integer.toString(ttlSeconds));
    return m;
  }

  @Test
  void joinAndResumeWelcomesCarryStunAndTurnWithFreshCredentials() throws Exception {
    int portA = TestCoordinator.nextClusterPort();
    String cluster = "turn-" + ProcessHandle.current().pid();
    Map<String, String> a = settings(600);
    a.putAll(
        Map.of(
            "cluster.name",
            cluster,
            "cluster.port",
            Integer.toString(portA),
            "liveness.resumeGraceMs",
            "60000"));
    Map<String, String> b = new HashMap<>(a);
    b.put("cluster.port", Integer.toString(TestCoordinator.nextClusterPort()));
    b.put("cluster.members", "127.0.0.1:" + portA);
    TestCoordinator ca = keep(TestCoordinator.start(a, clock));
    TestCoordinator cb = TestCoordinator.start(b, clock);
    boolean bRunning = true;
    try {
      String key = ca.createStream("live");
      long before = clock.millis() / 1000;
      TestNode origin = keep(TestNode.join(vertx, ca.baseUrl, "live", "origin", key));
      TestNode viewer = keep(TestNode.join(vertx, cb.baseUrl, "live", "viewer", null));
      long after = clock.millis() / 1000;

      for (TestNode n : List.of(origin, viewer)) {
        List<Message.IceServer> ice = n.welcome.iceServers();
        assertThat(ice).hasSize(2);
        assertThat(ice.get(0)).isEqualTo(new Message.IceServer(List.of(STUN), null, null));
        assertThat(ice.get(1).urls()).isEqualTo(TURN);
        assertValid(ice.get(1), n.id(), before + 600, after + 600);
      }
      assertThat(origin.welcome.iceServers().get(1).credential())
          .isNotEqualTo(viewer.welcome.iceServers().get(1).credential());

      // B goes away; the viewer resumes on A a while later and is handed credentials made then, not
      // its old ones.
      cb.close();
      bRunning = false;
      clock.advance(20_000);
      long resumedFrom = clock.millis() / 1000;
      Message.Welcome resumed = resume(ca, viewer);
      assertThat(resumed.resumed()).isTrue();
      assertThat(resumed.nodeId()).isEqualTo(viewer.id());
      assertValid(
          resumed.iceServers().get(1), viewer.id(), resumedFrom + 600, clock.millis() / 1000 + 600);
    } finally {
      if (bRunning) {
        cb.close();
      }
    }
  }

  @Test
  void aNodeStillConnectedAtHalfTheLifeOfItsCredentialsGetsFreshOnes() throws Exception {
    TestCoordinator c = keep(TestCoordinator.start(settings(60), clock));
    String key = c.createStream("long");
    TestNode origin = keep(TestNode.join(vertx, c.baseUrl, "long", "origin", key));
    TestNode viewer = keep(TestNode.join(vertx, c.baseUrl, "long", "viewer", null));
    // Heartbeats every second: nothing new while the credentials are young.
    assertThat(viewer.quietFor(Message.IceServers.class, 2500)).isTrue();

    clock.advance(31_000);
    long from = clock.millis() / 1000;
    for (TestNode n : List.of(viewer, origin)) {
      Message.IceServers fresh = n.await(Message.IceServers.class, 5000);
      assertThat(fresh.iceServers()).hasSize(2);
      assertThat(fresh.iceServers().get(0).urls()).containsExactly(STUN);
      assertValid(fresh.iceServers().get(1), n.id(), from + 60, clock.millis() / 1000 + 60);
    }
    // Once renewed, quiet again until the next half life.
    assertThat(viewer.quietFor(Message.IceServers.class, 2500)).isTrue();
  }

  @Test
  void withoutTurnAWelcomeCarriesTheStunServersOnlyAndNothingIsRenewed() throws Exception {
    TestCoordinator c = keep(TestCoordinator.start(Map.of("ice.servers", STUN), clock));
    String key = c.createStream("plain");
    TestNode origin = keep(TestNode.join(vertx, c.baseUrl, "plain", "origin", key));
    assertThat(origin.welcome.iceServers())
        .containsExactly(new Message.IceServer(List.of(STUN), null, null));
    clock.advance(30L * 24 * 3600 * 1000);
    assertThat(origin.quietFor(Message.IceServers.class, 2500)).isTrue();
  }

  /**
   * Checked as coturn does: the expiry before the colon, then the HMAC recomputed here,
   * independently.
   */
  private void assertValid(
      Message.IceServer turn, String nodeId, long earliestExpiry, long latestExpiry)
      throws Exception {
    String[] parts = turn.username().split(":", 2);
    assertThat(parts[1]).isEqualTo(nodeId);
    assertThat(Long.parseLong(parts[0])).isBetween(earliestExpiry, latestExpiry);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    assertThat(turn.credential())
        .isEqualTo(
            Base64.getEncoder()
                .encodeToString(mac.doFinal(turn.username().getBytes(StandardCharsets.UTF_8))));
  }

  /**
   * Resumes {@code old}'s place on {@code c}, trying again while the cluster has not yet seen its
   * socket go.
   */
  private Message.Welcome resume(TestCoordinator c, TestNode old) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      TestNode back = keep(TestNode.connect(vertx, c.baseUrl));
      back.send(old.resume(old.welcome.resumeToken()));
      Message m =
          back.awaitMatching(
              x -> x instanceof Message.Welcome || x instanceof Message.Error,
              10_000,
              "welcome or error");
      if (m instanceof Message.Welcome w) {
        return w;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("resume refused: " + m);
      }
      back.close();
      Thread.sleep(250);
    }
  }

  private static String randomSecret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private <T extends AutoCloseable> T keep(T part) {
    open.add(part);
    return part;
  }
}

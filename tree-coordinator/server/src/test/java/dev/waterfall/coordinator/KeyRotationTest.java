package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.Rest;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/streams/{name}/key}: a new publish key without deleting the stream. The old key
 * admits no origin from then on; a connected origin carries on unless the call says {@code
 * disconnect=true}, and then it is closed ({@code key-rotated}) and cannot take its place back with
 * its resume token. Real coordinators, real HTTP and WebSockets on 127.0.0.1.
 */
@DisplayName("publish key rotation")
class KeyRotationTest {
  /** Short heartbeats: "its heartbeats are still accepted" is seen within a second or two. */
  private static final Map<String, String> SETTINGS = Map.of("liveness.heartbeatIntervalMs", "300");

  private static TestCoordinator coordinator;
  private static Rest rest;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    coordinator = TestCoordinator.start(SETTINGS);
    rest = coordinator.rest;
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    coordinator.close();
  }

  static String create(Rest rest, String name) {
    Rest.Reply created = rest.admin("POST", "/api/streams", "{\"name\":\"" + name + "\"}");
    assertThat(created.status()).isEqualTo(201);
    return created.json().get("publishKey").textValue();
  }

  static String rotate(Rest rest, String name, String query) {
    Rest.Reply rotated = rest.admin("POST", "/api/streams/" + name + "/key" + query, null);
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
    assertThat(rotated.json().get("name").textValue()).isEqualTo(name);
    return rotated.json().get("publishKey").textValue();
  }

  /**
   * A join as the origin with {@code key} on a fresh socket: refused and closed with {@code code}.
   */
  static void refusedOrigin(
      Vertx vertx, TestCoordinator where, String stream, String key, String code) {
    try (TestNode n = TestNode.connect(vertx, where.baseUrl)) {
      n.send(new Message.Join(stream, "origin", key, null, null));
      n.awaitError(code);
      assertThat(n.awaitClosed(5000)).as("closed after " + code).isTrue();
    }
  }

  static JsonNode root(TestCoordinator c, String stream) {
    return c.rest.get("/api/streams/" + stream + "/tree").json().get("nodes").get(0);
  }

  @Nested
  @DisplayName("on one coordinator")
  class OneCoordinator {
    @Test
    @DisplayName(
        "the old key is refused at once, the new one admits; a connected origin carries on meanwhile")
    void theOldKeyStopsWorkingAndTheConnectedOriginCarriesOn() throws Exception {
      String old = create(rest, "rot-keep");
      TestNode origin = TestNode.join(vertx, coordinator.baseUrl, "rot-keep", "origin", old);
      TestNode viewer = TestNode.join(vertx, coordinator.baseUrl, "rot-keep", "viewer", null);

      String fresh = rotate(rest, "rot-keep", "");
      assertThat(fresh).hasSizeGreaterThan(30).isNotEqualTo(old);
      refusedOrigin(vertx, coordinator, "rot-keep", old, "bad-credential");

      // Still the origin, heartbeating past the silence limit (3 × 300 ms), and still signalling to
      // its child.
      assertThat(origin.quietFor(Message.Error.class, 1500))
          .as("no error for the connected origin")
          .isTrue();
      assertThat(origin.isClosed()).isFalse();
      assertThat(root(coordinator, "rot-keep").get("connected").booleanValue()).isTrue();
      origin.send(
          new Message.Signal(
              null,
              viewer.id(),
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree("{\"type\":\"answer\",\"sdp\":\"v=0\"}")));
      assertThat(viewer.await(Message.Signal.class).from()).isEqualTo(origin.id());
      // While it is connected the new key finds the place taken, as any second origin would.
      refusedOrigin(vertx, coordinator, "rot-keep", fresh, "origin-taken");

      origin.send(new Message.Leave());
      assertThat(origin.awaitClosed(5000)).isTrue();
      refusedOrigin(vertx, coordinator, "rot-keep", old, "bad-credential");
      TestNode next = TestNode.join(vertx, coordinator.baseUrl, "rot-keep", "origin", fresh);
      assertThat(next.id()).isEqualTo(origin.id()); // the same root, its child still under it
      assertThat(viewer.await(Message.Reparent.class).reason()).isEqualTo("origin-reconnected");
      next.close();
      viewer.close();
    }

    @Test
    @DisplayName(
        "disconnect=true closes the origin with key-rotated; its resume token and old key are useless")
    void disconnectClosesTheOriginForGood() {
      String old = create(rest, "rot-cut");
      TestNode origin =
          TestNode.join(
              vertx,
              coordinator.baseUrl,
              new Message.Join("rot-cut", "origin", old, null, null, null, "http://127.0.0.1:9/o"));
      TestNode viewer = TestNode.join(vertx, coordinator.baseUrl, "rot-cut", "viewer", null);
      assertThat(rest.get("/api/streams/rot-cut/fallbacks").body())
          .contains("http://127.0.0.1:9/o");

      String fresh = rotate(rest, "rot-cut", "?disconnect=true");
      origin.awaitError("key-rotated");
      assertThat(origin.awaitClosed(5000)).isTrue();
      assertThat(viewer.isClosed()).as("viewers are not touched").isFalse();

      try (TestNode back = TestNode.connect(vertx, coordinator.baseUrl)) {
        back.send(origin.resume(origin.welcome.resumeToken()));
        back.awaitError("bad-credential");
        assertThat(back.awaitClosed(5000)).isTrue();
      }
      refusedOrigin(vertx, coordinator, "rot-cut", old, "bad-credential");
      assertThat(rest.get("/api/streams/rot-cut/fallbacks").body())
          .doesNotContain("http://127.0.0.1:9/o");

      TestNode next = TestNode.join(vertx, coordinator.baseUrl, "rot-cut", "origin", fresh);
      assertThat(next.id()).isEqualTo(origin.id());
      assertThat(viewer.await(Message.Reparent.class).reason()).isEqualTo("origin-reconnected");
      assertThat(next.quietFor(Message.Error.class, 500))
          .as("the new origin is not closed")
          .isTrue();
      next.close();
      viewer.close();
    }

    @Test
    @DisplayName(
        "admin only; 404 for an unknown stream, 400 for a bad flag; the key is never in a later answer")
    void refusals() {
      String old = create(rest, "rot-auth");
      assertThat(rest.call("POST", "/api/streams/rot-auth/key", null, null).status())
          .isEqualTo(401);
      assertThat(
              rest.call("POST", "/api/streams/rot-auth/key", null, "wrong-token-0123456789")
                  .status())
          .isEqualTo(401);
      assertThat(rest.call("POST", "/api/streams/rot-auth/key", null, old).status())
          .as("a publish key is not admin")
          .isEqualTo(401);
      Rest.Reply unknown = rest.admin("POST", "/api/streams/nope/key", null);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.json().get("error").textValue()).isEqualTo("unknown-stream");
      for (String bad :
          new String[] {"?disconnect=yes", "?disconnect=", "?disconnect=true&disconnect=false"}) {
        Rest.Reply r = rest.admin("POST", "/api/streams/rot-auth/key" + bad, null);
        assertThat(r.status()).as(bad).isEqualTo(400);
        assertThat(r.json().get("error").textValue()).isEqualTo("invalid-disconnect");
      }
      // A refused call changed nothing: the old key still admits.
      TestNode.join(vertx, coordinator.baseUrl, "rot-auth", "origin", old).close();

      String fresh = rotate(rest, "rot-auth", "?disconnect=false");
      assertThat(rest.admin("GET", "/api/streams", null).body())
          .doesNotContain(fresh)
          .doesNotContain(old);
      assertThat(rest.admin("GET", "/api/streams/rot-auth", null).body()).doesNotContain(fresh);
    }

    @Test
    @DisplayName(
        "an origin's ingest endpoints are shown to the admin only, and follow the origin's last join")
    void ingestIsAdvertisedToTheAdmin() {
      String key = create(rest, "rot-obs");
      TestNode origin = TestNode.connect(vertx, coordinator.baseUrl);
      origin.send(
          new Message.Join(
              "rot-obs",
              "origin",
              key,
              null,
              null,
              null,
              null,
              null,
              new Message.Ingest(
                  "rtmp://203.0.113.5:1935/live/rot-obs",
                  "https://203.0.113.5:8443/whip/rot-obs")));
      origin.await(Message.Welcome.class);

      JsonNode admin = rest.admin("GET", "/api/streams/rot-obs", null).json();
      assertThat(admin.get("ingest").get("rtmp").textValue())
          .isEqualTo("rtmp://203.0.113.5:1935/live/rot-obs");
      assertThat(admin.get("ingest").get("whip").textValue())
          .isEqualTo("https://203.0.113.5:8443/whip/rot-obs");
      assertThat(rest.admin("GET", "/api/streams", null).body())
          .contains("rtmp://203.0.113.5:1935/live/rot-obs");
      assertThat(rest.get("/api/streams/rot-obs").json().has("ingest")).as("not public").isFalse();
      // Rotation keeps it: the origin (and its encoder) did not move.
      assertThat(
              rest.admin("POST", "/api/streams/rot-obs/key", null)
                  .json()
                  .get("ingest")
                  .get("rtmp")
                  .textValue())
          .isEqualTo("rtmp://203.0.113.5:1935/live/rot-obs");
      origin.close();
    }

    @Test
    @DisplayName("an origin that advertises nothing leaves the ingest unknown")
    void noIngestMeansUnknown() {
      String key = create(rest, "rot-none");
      TestNode.join(vertx, coordinator.baseUrl, "rot-none", "origin", key).close();
      assertThat(rest.admin("GET", "/api/streams/rot-none", null).json().has("ingest")).isFalse();
    }
  }

  @Nested
  @DisplayName("in a cluster of two")
  class Cluster {
    @Test
    @DisplayName(
        "a rotation on A holds on B: B's origin is closed, the old key refused there, the new one admitted")
    void aRotationOnOneCoordinatorHoldsOnTheOther() throws Exception {
      try (TestCoordinator a = TestCoordinator.start(SETTINGS);
          TestCoordinator b = a.startPeer(SETTINGS)) {
        String old = create(a.rest, "rot-two");
        TestNode origin = TestNode.join(vertx, b.baseUrl, "rot-two", "origin", old);
        TestNode viewer = TestNode.join(vertx, a.baseUrl, "rot-two", "viewer", null);

        String fresh = rotate(a.rest, "rot-two", "?disconnect=true");
        origin.awaitError("key-rotated");
        assertThat(origin.awaitClosed(5000)).isTrue();
        refusedOrigin(vertx, b, "rot-two", old, "bad-credential");
        try (TestNode back = TestNode.connect(vertx, a.baseUrl)) {
          back.send(origin.resume(origin.welcome.resumeToken()));
          back.awaitError("bad-credential");
        }
        TestNode next = TestNode.join(vertx, b.baseUrl, "rot-two", "origin", fresh);
        assertThat(viewer.await(Message.Reparent.class).reason()).isEqualTo("origin-reconnected");
        assertThat(next.quietFor(Message.Error.class, 500)).isTrue();
        next.close();
        viewer.close();
      }
    }

    /**
     * A booster token revoked on one coordinator admits nobody on another, even one that just
     * admitted it.
     */
    @Test
    @DisplayName("a booster token revoked on one coordinator is refused at once on the other")
    void aRevokedBoosterTokenIsRefusedAtOnceOnTheOther() throws Exception {
      try (TestCoordinator a = TestCoordinator.start(SETTINGS);
          TestCoordinator b = a.startPeer(SETTINGS)) {
        create(a.rest, "rot-boost");
        String token =
            a.rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();
        try (TestNode booster = TestNode.join(vertx, b.baseUrl, "rot-boost", "booster", token)) {
          // b has read the token: its near cache would hold it
          assertThat(booster.welcome.depth()).isEqualTo(1);
        }
        assertThat(a.rest.admin("DELETE", "/api/booster-tokens/" + token, null).status())
            .isEqualTo(204);
        try (TestNode n = TestNode.connect(vertx, b.baseUrl)) {
          n.send(new Message.Join("rot-boost", "booster", token, null, null));
          n.awaitError("bad-credential");
        }
      }
    }

    /**
     * The origin's coordinator shuts down: its place waits for a resume elsewhere. A rotation with
     * disconnect spends that resume token (nobody holds a socket to close); one without leaves the
     * origin its place.
     */
    @Test
    @DisplayName(
        "with the origin's coordinator gone, disconnect=true spends its resume token; without, it resumes and hears the new key")
    void disconnectSpendsTheTokenOfAnOriginBetweenCoordinators() throws Exception {
      try (TestCoordinator a = TestCoordinator.start(SETTINGS)) {
        TestCoordinator b = a.startPeer(SETTINGS);
        String kept = create(a.rest, "rot-kept");
        String cut = create(a.rest, "rot-gone");
        TestNode keptOrigin = TestNode.join(vertx, b.baseUrl, "rot-kept", "origin", kept);
        TestNode cutOrigin = TestNode.join(vertx, b.baseUrl, "rot-gone", "origin", cut);
        b.close(); // graceful: the origins' sockets close, their places wait for a resume
        assertThat(keptOrigin.awaitClosed(10_000)).isTrue();
        assertThat(cutOrigin.awaitClosed(10_000)).isTrue();

        String keptFresh = rotate(a.rest, "rot-kept", "");
        rotate(a.rest, "rot-gone", "?disconnect=true");
        try (TestNode back = TestNode.connect(vertx, a.baseUrl)) {
          back.send(cutOrigin.resume(cutOrigin.welcome.resumeToken()));
          back.awaitError("bad-credential");
        }
        try (TestNode back = TestNode.connect(vertx, a.baseUrl)) {
          back.send(keptOrigin.resume(keptOrigin.welcome.resumeToken()));
          Message.Welcome w = back.await(Message.Welcome.class);
          assertThat(w.resumed()).isTrue();
          assertThat(w.nodeId()).isEqualTo(keptOrigin.id());
          // Nobody held its socket when the key was rotated: it hears the new key's hash now, so
          // its own ingest stops taking the old key.
          assertThat(back.await(Message.PublishKey.class).keyHash())
              .isEqualTo(dev.waterfall.coordinator.streams.Credentials.hash(keptFresh));
        }
      }
    }
  }
}

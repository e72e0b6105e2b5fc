package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.Rest;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Private streams over a real coordinator: viewer tokens from the admin API, checked at join. */
@DisplayName("private streams")
class PrivateStreamTest {
  private static TestCoordinator coordinator;
  private static Rest rest;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    coordinator = TestCoordinator.start();
    rest = coordinator.rest;
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    coordinator.close();
  }

  private static String createPrivate(String name) {
    Rest.Reply created =
        rest.admin("POST", "/api/streams", "{\"name\":\"" + name + "\",\"private\":true}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().get("private").booleanValue()).isTrue();
    return created.json().get("publishKey").textValue();
  }

  private static String viewerToken(String stream, long ttlSeconds) {
    Rest.Reply r =
        rest.admin(
            "POST",
            "/api/streams/" + stream + "/viewer-tokens",
            "{\"ttlSeconds\":" + ttlSeconds + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("token").textValue();
  }

  private static Message.Error refused(String stream, String token) {
    try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
      n.send(new Message.Join(stream, "viewer", token, null, null));
      Message.Error e = n.awaitError("private-stream");
      assertThat(n.awaitClosed(5000)).as("a refused viewer's socket is closed").isTrue();
      return e;
    }
  }

  @Test
  void theAdminIssuesExpiringTokensForPrivateStreamsOnly() {
    createPrivate("tokens");
    long before = Instant.now().getEpochSecond();
    Rest.Reply r = rest.admin("POST", "/api/streams/tokens/viewer-tokens", "{\"ttlSeconds\":600}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("stream").textValue()).isEqualTo("tokens");
    assertThat(r.json().get("token").textValue()).startsWith("v1.");
    long expires = Instant.parse(r.json().get("expiresAt").textValue()).getEpochSecond();
    assertThat(expires).isBetween(before + 600, before + 602);
    // No body: the default lifetime (an hour).
    assertThat(rest.admin("POST", "/api/streams/tokens/viewer-tokens", "").status()).isEqualTo(201);

    assertThat(rest.call("POST", "/api/streams/tokens/viewer-tokens", "{}", null).status())
        .isEqualTo(401);
    assertThat(rest.admin("POST", "/api/streams/nope/viewer-tokens", "{}").status()).isEqualTo(404);
    coordinator.rest.admin("POST", "/api/streams", "{\"name\":\"open\"}");
    Rest.Reply open = rest.admin("POST", "/api/streams/open/viewer-tokens", "{}");
    assertThat(open.status()).isEqualTo(400);
    assertThat(open.json().get("error").textValue()).isEqualTo("not-private");
    for (String bad :
        new String[] {
          "{\"ttlSeconds\":0}",
          "{\"ttlSeconds\":-5}",
          "{\"ttlSeconds\":99999999}",
          "{\"ttlSeconds\":\"60\"}",
          "{\"ttlSeconds\":1.5}"
        }) {
      Rest.Reply reply = rest.admin("POST", "/api/streams/tokens/viewer-tokens", bad);
      assertThat(reply.status()).as(bad).isEqualTo(400);
      assertThat(reply.json().get("error").textValue()).as(bad).isEqualTo("invalid-ttl");
    }
    assertThat(
            rest.admin("POST", "/api/streams/tokens/viewer-tokens", "{\"ttl")
                .json()
                .get("error")
                .textValue())
        .isEqualTo("malformed-json");
    // A realtime stream cannot be private: its media tracks are not encrypted per chunk.
    assertThat(
            rest.admin(
                    "POST",
                    "/api/streams",
                    "{\"name\":\"rt\",\"type\":\"realtime\",\"private\":true}")
                .status())
        .isEqualTo(400);
  }

  @Test
  void aViewerNeedsAValidUnexpiredTokenForThatStream() throws Exception {
    String publishKey = createPrivate("secret");
    createPrivate("elsewhere");
    try (TestNode origin = TestNode.connect(vertx, coordinator.baseUrl)) {
      origin.send(
          new Message.Join(
              "secret", "origin", publishKey, null, null, null, null, "AAECAwQFBgcICQoLDA0ODw=="));
      String originId = origin.await(Message.Welcome.class).nodeId();
      assertThat(refused("secret", null).message()).contains("needs a viewer token");
      assertThat(refused("secret", "not-a-token").message()).contains("not valid");
      String token = viewerToken("secret", 600);
      assertThat(
              refused(
                      "secret",
                      token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A"))
                  .message())
          .as("forged")
          .contains("not valid");
      assertThat(refused("secret", viewerToken("elsewhere", 600)).message())
          .as("another stream's")
          .contains("not valid");
      String shortLived = viewerToken("secret", 1);
      Thread.sleep(2100);
      assertThat(refused("secret", shortLived).message()).contains("expired");

      try (TestNode viewer = TestNode.join(vertx, coordinator.baseUrl, "secret", "viewer", token)) {
        assertThat(viewer.welcome.parent()).isEqualTo(originId);
        assertThat(viewer.welcome.stream().privateStream()).isTrue();
      }
      // The tree and the stream of a private stream stay hidden from the public.
      assertThat(rest.get("/api/streams/secret/tree").status()).isEqualTo(401);
      assertThat(rest.get("/api/streams/secret").status()).isEqualTo(401);
    }
  }

  @Test
  void onlyViewersWithATokenReceiveTheOriginsContentKey() {
    String publishKey = createPrivate("sealed");
    String contentKey = "q83vASNFZ4mrze8BI0VniQ==";
    try (TestNode bare = TestNode.connect(vertx, coordinator.baseUrl)) {
      bare.send(new Message.Join("sealed", "origin", publishKey, null, null));
      assertThat(bare.awaitError("private-stream").message()).contains("contentKey");
    }
    try (TestNode origin = TestNode.connect(vertx, coordinator.baseUrl)) {
      origin.send(
          new Message.Join("sealed", "origin", publishKey, null, null, null, null, contentKey));
      assertThat(origin.await(Message.Welcome.class).contentKey()).isNull();
      String boosterToken =
          rest.admin("POST", "/api/booster-tokens", "").json().get("token").textValue();
      String token = viewerToken("sealed", 600);
      try (TestNode viewer = TestNode.join(vertx, coordinator.baseUrl, "sealed", "viewer", token);
          TestNode booster =
              TestNode.join(vertx, coordinator.baseUrl, "sealed", "booster", boosterToken)) {
        assertThat(viewer.welcome.contentKey()).isEqualTo(contentKey);
        assertThat(booster.welcome.contentKey())
            .as("a booster forwards what it cannot read")
            .isNull();
        // Never in REST, not even for the admin.
        assertThat(rest.admin("GET", "/api/streams", null).body())
            .contains("sealed")
            .doesNotContain(contentKey);
        assertThat(rest.admin("GET", "/api/streams/sealed", null).body())
            .doesNotContain(contentKey);
        assertThat(rest.admin("GET", "/api/streams/sealed/tree", null).body())
            .doesNotContain(contentKey);
        // Fallbacks (ciphertext sources) for those who may be in the tree: viewer or booster token,
        // admin.
        assertThat(rest.get("/api/streams/sealed/fallbacks").status()).isEqualTo(401);
        assertThat(rest.call("GET", "/api/streams/sealed/fallbacks", null, "v1.1.x").status())
            .isEqualTo(401);
        Rest.Reply asViewer = rest.call("GET", "/api/streams/sealed/fallbacks", null, token);
        assertThat(asViewer.status()).isEqualTo(200);
        assertThat(asViewer.body()).doesNotContain(contentKey);
        assertThat(rest.call("GET", "/api/streams/sealed/fallbacks", null, boosterToken).status())
            .isEqualTo(200);
      }
    }
    // A public stream's viewers get no key, whatever its origin sends.
    String openKey =
        coordinator
            .rest
            .admin("POST", "/api/streams", "{\"name\":\"plain\"}")
            .json()
            .get("publishKey")
            .textValue();
    try (TestNode origin = TestNode.connect(vertx, coordinator.baseUrl)) {
      origin.send(new Message.Join("plain", "origin", openKey, null, null, null, null, contentKey));
      origin.await(Message.Welcome.class);
      try (TestNode viewer = TestNode.join(vertx, coordinator.baseUrl, "plain", "viewer", null)) {
        assertThat(viewer.welcome.contentKey()).isNull();
      }
    }
  }
}

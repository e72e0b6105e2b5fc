package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.Rest;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("REST API")
class RestApiTest {
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

  @Nested
  @DisplayName("streams")
  class Streams {
    @Test
    void createShowsTheKeyOnceThenListAndDelete() {
      Rest.Reply created = rest.admin("POST", "/api/streams", "{\"name\":\"alpha\"}");
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.json().get("name").textValue()).isEqualTo("alpha");
      String key = created.json().get("publishKey").textValue();
      assertThat(key).hasSizeGreaterThan(30);

      Rest.Reply list = rest.admin("GET", "/api/streams", null);
      assertThat(list.status()).isEqualTo(200);
      assertThat(list.body()).contains("\"alpha\"").doesNotContain(key);

      assertThat(rest.admin("POST", "/api/streams", "{\"name\":\"alpha\"}").status())
          .isEqualTo(409);
      assertThat(rest.admin("DELETE", "/api/streams/alpha", null).status()).isEqualTo(204);
      assertThat(rest.admin("DELETE", "/api/streams/alpha", null).status()).isEqualTo(404);
      assertThat(rest.get("/api/streams/alpha/tree").status()).isEqualTo(404);
    }

    @Test
    void badBodiesAreRefusedWithAReason() {
      Rest.Reply malformed = rest.admin("POST", "/api/streams", "{\"name\":");
      assertThat(malformed.status()).isEqualTo(400);
      assertThat(malformed.json().get("error").textValue()).isEqualTo("malformed-json");
      Rest.Reply badName = rest.admin("POST", "/api/streams", "{\"name\":\"Not A Name!\"}");
      assertThat(badName.status()).isEqualTo(400);
      assertThat(badName.json().get("message").textValue()).contains("name");
      assertThat(rest.admin("POST", "/api/streams", "{\"name\":\"x\",\"maxChildren\":9}").status())
          .isEqualTo(400);
      assertThat(rest.admin("POST", "/api/streams", "{\"name\":7}").status()).isEqualTo(400);
    }

    @Test
    void treeViewIsPublicAndShowsTheRoot() throws Exception {
      String key = coordinator.createStream("beta");
      try (TestNode origin = TestNode.join(vertx, coordinator.baseUrl, "beta", "origin", key)) {
        Rest.Reply tree = rest.get("/api/streams/beta/tree");
        assertThat(tree.status()).isEqualTo(200);
        var root = tree.json().get("nodes").get(0);
        assertThat(root.get("id").textValue()).isEqualTo(origin.id());
        assertThat(root.get("role").textValue()).isEqualTo("origin");
        assertThat(root.get("parent").isNull()).isTrue();
        assertThat(root.get("depth").intValue()).isZero();
        assertThat(root.get("capacity").intValue()).isEqualTo(4);
        assertThat(root.get("joinedAt").textValue()).endsWith("Z");
      }
    }

    @Test
    void deletingAStreamClosesItsSockets() throws Exception {
      String key = coordinator.createStream("gamma");
      try (TestNode origin = TestNode.join(vertx, coordinator.baseUrl, "gamma", "origin", key);
          TestNode viewer = TestNode.join(vertx, coordinator.baseUrl, "gamma", "viewer", null)) {
        assertThat(rest.admin("DELETE", "/api/streams/gamma", null).status()).isEqualTo(204);
        viewer.awaitError("stream-deleted");
        assertThat(viewer.awaitClosed(5000)).isTrue();
        assertThat(origin.awaitClosed(5000)).isTrue();
      }
    }
  }

  @Nested
  @DisplayName("credentials")
  class Credentials {
    @Test
    void adminCallsNeedTheAdminToken() {
      assertThat(rest.call("GET", "/api/streams", null, null).status()).isEqualTo(401);
      assertThat(rest.call("GET", "/api/streams", null, "wrong").status()).isEqualTo(401);
      assertThat(rest.call("POST", "/api/booster-tokens", null, null).status()).isEqualTo(401);
      assertThat(
              rest.call("POST", "/api/streams", "{\"name\":\"x\"}", "wrong")
                  .json()
                  .get("error")
                  .textValue())
          .isEqualTo("unauthorized");
    }

    @Test
    void publishKeyIsNotTheAdminTokenAndViceVersa() throws Exception {
      String key = coordinator.createStream("delta");
      assertThat(rest.call("GET", "/api/streams", null, key).status()).isEqualTo(401);
      try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
        n.send(new Message.Join("delta", "origin", TestCoordinator.ADMIN_TOKEN, null, null));
        n.awaitError("bad-credential");
      }
    }

    @Test
    void boosterTokensAdmitBoostersUntilRevoked() {
      Rest.Reply issued = rest.admin("POST", "/api/booster-tokens", null);
      assertThat(issued.status()).isEqualTo(201);
      String token = issued.json().get("token").textValue();
      coordinatorStream("epsilon");
      try (TestNode booster =
          TestNode.join(vertx, coordinator.baseUrl, "epsilon", "booster", token)) {
        assertThat(booster.welcome.depth()).isEqualTo(1);
      }
      assertThat(rest.admin("DELETE", "/api/booster-tokens/" + token, null).status())
          .isEqualTo(204);
      assertThat(rest.admin("DELETE", "/api/booster-tokens/" + token, null).status())
          .isEqualTo(404);
      try (TestNode n = TestNode.connect(vertx, coordinator.baseUrl)) {
        n.send(new Message.Join("epsilon", "booster", token, null, null));
        n.awaitError("bad-credential");
      }
    }

    /**
     * A stream's public reads (description, tree, dashboard) answer a wrong Bearer token with 401,
     * not with the public view: a client holding a bad credential hears so. No token is the public
     * view; the admin token adds the admin's fields.
     */
    @Test
    void publicReadsRefuseAWrongToken() throws Exception {
      String key = coordinator.createStream("eta");
      for (String path :
          new String[] {
            "/api/streams/eta", "/api/streams/eta/tree", "/api/streams/eta/dashboard"
          }) {
        Rest.Reply wrong = rest.call("GET", path, null, "not-the-admin-token");
        assertThat(wrong.status()).as(path + " with a wrong token").isEqualTo(401);
        assertThat(wrong.json().get("error").textValue()).isEqualTo("unauthorized");
        assertThat(rest.call("GET", path, null, key).status())
            .as(path + " with the publish key")
            .isEqualTo(401);
      }
      Rest.Reply open = rest.get("/api/streams/eta");
      assertThat(open.status()).isEqualTo(200);
      assertThat(open.json().get("name").textValue()).isEqualTo("eta");
      assertThat(rest.admin("GET", "/api/streams/eta", null).status()).isEqualTo(200);
      assertThat(rest.get("/api/streams/eta/tree").status()).isEqualTo(200);
      assertThat(rest.call("GET", "/api/streams/nope", null, "wrong").status())
          .as("an unknown stream is 404 whatever the token")
          .isEqualTo(404);
    }

    private void coordinatorStream(String name) {
      try {
        coordinator.createStream(name);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  @Nested
  @DisplayName("operations")
  class Operations {
    @Test
    void healthAndMetrics() throws Exception {
      Rest.Reply health = rest.get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().get("status").textValue()).isEqualTo("up");
      assertThat(health.json().get("clusterSize").intValue()).isEqualTo(1);

      String key = coordinator.createStream("zeta");
      try (TestNode origin = TestNode.join(vertx, coordinator.baseUrl, "zeta", "origin", key);
          TestNode viewer = TestNode.join(vertx, coordinator.baseUrl, "zeta", "viewer", null)) {
        String metrics = rest.get("/metrics").body();
        assertThat(metrics)
            .contains(
                "waterfall_joins_total",
                "waterfall_placement_seconds_bucket",
                "waterfall_stream_nodes{stream=\"zeta\"} 2.0",
                "waterfall_stream_max_depth{stream=\"zeta\"} 1.0",
                "waterfall_repairs_total",
                "waterfall_sessions");
      }
    }

    @Test
    void unknownApiPathIsAJsonError() {
      Rest.Reply r = rest.get("/api/nothing-here");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().get("error").textValue()).isEqualTo("not-found");
    }
  }
}

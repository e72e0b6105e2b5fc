package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.Rest;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("stream types: a realtime stream's page origin, its viewers, and no boosters")
class RealtimeStreamTest {
  private TestCoordinator coordinator;
  private Rest rest;
  private Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    coordinator = TestCoordinator.start();
    rest = coordinator.rest;
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
    vertx.close();
    coordinator.close();
  }

  private TestNode connect(Message.Join join) {
    TestNode n = TestNode.connect(vertx, coordinator.baseUrl);
    nodes.add(n);
    n.send(join);
    return n;
  }

  private TestNode join(Message.Join join) {
    TestNode n = connect(join);
    n.welcome = n.await(Message.Welcome.class);
    return n;
  }

  private String createRealtime(String name, int maxChildren) {
    Rest.Reply created =
        rest.admin(
            "POST",
            "/api/streams",
            "{\"name\":\""
                + name
                + "\",\"type\":\"realtime\",\"maxChildren\":"
                + maxChildren
                + "}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("type").textValue()).isEqualTo("realtime");
    return created.json().get("publishKey").textValue();
  }

  @Test
  void theTypeIsStoredAndShownAndHlsIsTheDefault() {
    createRealtime("live", 2);
    assertThat(rest.admin("POST", "/api/streams", "{\"name\":\"plain\"}").status()).isEqualTo(201);

    assertThat(rest.get("/api/streams/live").json().get("type").textValue()).isEqualTo("realtime");
    assertThat(rest.get("/api/streams/live").json().get("maxChildren").intValue()).isEqualTo(2);
    assertThat(rest.get("/api/streams/live").json().has("publishKey")).isFalse();
    assertThat(rest.get("/api/streams/plain").json().get("type").textValue()).isEqualTo("hls");
    assertThat(rest.get("/api/streams/nothing").status()).isEqualTo(404);
    assertThat(
            rest.admin("GET", "/api/streams", null).json().get("streams").findValuesAsText("type"))
        .containsExactly("realtime", "hls");
  }

  @Test
  void aWrongTypeIsRefusedAndNothingIsCreated() {
    Rest.Reply unknown =
        rest.admin("POST", "/api/streams", "{\"name\":\"bad\",\"type\":\"webrtc\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().get("message").textValue()).contains("hls").contains("realtime");
    assertThat(rest.admin("POST", "/api/streams", "{\"name\":\"bad\",\"type\":3}").status())
        .isEqualTo(400);
    assertThat(rest.get("/api/streams/bad").status()).isEqualTo(404);
    // The coordinator is intact: the same name is free for a good request.
    assertThat(rest.admin("POST", "/api/streams", "{\"name\":\"bad\",\"type\":\"hls\"}").status())
        .isEqualTo(201);
  }

  @Test
  void aPageWithOnlyThePublishKeyIsTheOriginAndEveryWelcomeCarriesTheType() throws Exception {
    String key = createRealtime("cam", 2);
    TestNode origin = join(new Message.Join("cam", "origin", key, null, null));
    assertThat(origin.welcome.parent()).isNull();
    assertThat(origin.welcome.stream().type()).isEqualTo("realtime");
    assertThat(origin.welcome.stream().publicKey()).isNull();
    assertThat(origin.welcome.fallbacks()).isEmpty();

    TestNode a = join(new Message.Join("cam", "viewer", null, null, null));
    TestNode b = join(new Message.Join("cam", "viewer", null, null, null));
    TestNode c = join(new Message.Join("cam", "viewer", null, null, null));
    assertThat(a.welcome.stream().type()).isEqualTo("realtime");
    assertThat(a.welcome.parent()).isEqualTo(origin.id());
    assertThat(b.welcome.parent()).isEqualTo(origin.id());
    // maxChildren 2: the third viewer goes one level down
    assertThat(c.welcome.depth()).isEqualTo(2);
    assertThat(origin.await(Message.ChildJoined.class).child()).isEqualTo(a.id());

    // An HLS stream's welcome says so too.
    String hlsKey = coordinator.createStream("tape");
    assertThat(join(new Message.Join("tape", "origin", hlsKey, null, null)).welcome.stream().type())
        .isEqualTo("hls");
  }

  @Test
  void aRealtimeStreamRefusesHlsOriginsAndStaysUsableAndAdmitsBoosters() {
    String key = createRealtime("talk", 4);
    String token = rest.admin("POST", "/api/booster-tokens", null).json().get("token").textValue();

    TestNode forged = connect(new Message.Join("talk", "booster", "not-a-token", null, null));
    forged.awaitError("bad-credential");

    TestNode relay =
        connect(
            new Message.Join(
                "talk",
                "origin",
                key,
                null,
                null,
                "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=",
                "http://127.0.0.1:8090"));
    assertThat(relay.awaitError("wrong-stream-type").message()).contains("/publish/talk");
    assertThat(relay.awaitClosed(5000)).isTrue();

    TestNode wrongKey = connect(new Message.Join("talk", "origin", "not-the-key", null, null));
    wrongKey.awaitError("bad-credential");

    // The refusals left the root free and nothing in the fallback list.
    TestNode origin = join(new Message.Join("talk", "origin", key, null, null));
    TestNode viewer = join(new Message.Join("talk", "viewer", null, null, null));
    assertThat(viewer.welcome.parent()).isEqualTo(origin.id());
    assertThat(rest.get("/api/streams/talk/fallbacks").json().get("fallbacks")).isEmpty();
    assertThat(rest.get("/api/streams/talk/tree").json().get("size").intValue()).isEqualTo(2);

    // A booster forwards media tracks in a realtime stream (relay-node's TrackRelay): placed like
    // any node, and its fallbacks reply says the stream's type, so it does not wait for a signing
    // key.
    TestNode booster = join(new Message.Join("talk", "booster", token, null, null));
    assertThat(booster.welcome.stream().type()).isEqualTo("realtime");
    assertThat(booster.welcome.parent()).isEqualTo(origin.id());
    assertThat(rest.get("/api/streams/talk/tree").json().get("size").intValue()).isEqualTo(3);
    assertThat(rest.get("/api/streams/talk/fallbacks").json().get("type").textValue())
        .isEqualTo("realtime");
  }
}

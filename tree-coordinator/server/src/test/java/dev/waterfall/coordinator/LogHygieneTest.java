package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.protocol.Message;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A session that uses every kind of credential, logged at DEBUG with a capturing appender: no
 * credential may appear in the log, and with {@code log.redactAddresses} no client address either.
 * Also: secrets at rest in the cluster's maps are hashes.
 */
@DisplayName(
    "credentials never reach the logs; addresses can be redacted; secrets are stored hashed")
class LogHygieneTest {

  @Test
  void aSessionWithEveryCredentialLeavesNoneInTheLog() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger waterfall = context.getLogger("dev.waterfall");
    Level rootLevel = root.getLevel();
    Level waterfallLevel = waterfall.getLevel();
    OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new OutputStreamAppender<>();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%level %logger %msg %mdc%n%ex");
    encoder.start();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(captured);
    appender.start();
    root.addAppender(appender);
    // Everything at DEBUG but Hazelcast's chatter: a secret logged at any level by anyone is a
    // leak.
    root.setLevel(Level.DEBUG);
    waterfall.setLevel(Level.DEBUG);
    context.getLogger("com.hazelcast").setLevel(Level.INFO);
    List<String> secrets = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    String turnSecret = "turn-secret-" + dev.waterfall.coordinator.streams.Credentials.newSecret();
    try (TestCoordinator c =
        TestCoordinator.start(
            Map.of(
                "log.redactAddresses",
                "true",
                "http.trustedProxies",
                "127.0.0.1",
                "signalling.maxSocketsPerIp",
                "8",
                "ice.turn.urls",
                "turn:turn.example.org:3478",
                "ice.turn.secret",
                turnSecret))) {
      secrets.add(TestCoordinator.ADMIN_TOKEN);
      secrets.add(turnSecret);
      var created = c.rest.admin("POST", "/api/streams", "{\"name\":\"hygiene\"}");
      assertThat(created.status()).isEqualTo(201);
      String publishKey = created.json().get("publishKey").textValue();
      String boosterToken =
          c.rest.admin("POST", "/api/booster-tokens", "").json().get("token").textValue();
      secrets.add(publishKey);
      secrets.add(boosterToken);

      TestNode origin = TestNode.join(vertx, c.baseUrl, "hygiene", "origin", publishKey);
      TestNode booster = TestNode.join(vertx, c.baseUrl, "hygiene", "booster", boosterToken);
      TestNode viewer = TestNode.join(vertx, c.baseUrl, "hygiene", "viewer", null);
      for (TestNode n : List.of(origin, booster, viewer)) {
        secrets.add(n.welcome.resumeToken());
        secrets.add(n.welcome.iceServers().get(0).credential()); // TURN
      }
      // Near misses and misuse: wrong keys, a resume with a real token on a second socket, bad
      // admin calls.
      try (TestNode wrong = TestNode.connect(vertx, c.baseUrl)) {
        wrong.send(new Message.Join("hygiene", "origin", publishKey + "x", null, null));
        wrong.awaitError("bad-credential");
      }
      try (TestNode wrong = TestNode.connect(vertx, c.baseUrl)) {
        wrong.send(new Message.Join("hygiene", "booster", boosterToken.substring(1), null, null));
        wrong.awaitError("bad-credential");
      }
      try (TestNode again = TestNode.connect(vertx, c.baseUrl)) {
        again.send(viewer.resume(viewer.welcome.resumeToken()));
        again.awaitError("already-connected");
      }
      // A private stream: a viewer token, a viewer admitted with it, a forged one refused.
      var hushed = c.rest.admin("POST", "/api/streams", "{\"name\":\"hushed\",\"private\":true}");
      String hushedKey = hushed.json().get("publishKey").textValue();
      String viewerToken =
          c.rest
              .admin("POST", "/api/streams/hushed/viewer-tokens", "{\"ttlSeconds\":60}")
              .json()
              .get("token")
              .textValue();
      secrets.add(hushedKey);
      secrets.add(viewerToken);
      String contentKey = "AAECAwQFBgcICQoLDA0ODw==";
      TestNode hushedOrigin = TestNode.connect(vertx, c.baseUrl);
      hushedOrigin.send(
          new Message.Join("hushed", "origin", hushedKey, null, null, null, null, contentKey));
      hushedOrigin.await(Message.Welcome.class);
      TestNode privateViewer = TestNode.join(vertx, c.baseUrl, "hushed", "viewer", viewerToken);
      assertThat(privateViewer.welcome.contentKey()).isEqualTo(contentKey);
      secrets.add(privateViewer.welcome.resumeToken());
      secrets.add(contentKey);
      try (TestNode wrong = TestNode.connect(vertx, c.baseUrl)) {
        wrong.send(
            new Message.Join(
                "hushed",
                "viewer",
                viewerToken.substring(0, viewerToken.length() - 2),
                null,
                null));
        wrong.awaitError("private-stream");
      }
      // A rotated key, with its origin cut off, and the old key tried again.
      String rotatedKey =
          c.rest
              .admin("POST", "/api/streams/hushed/key?disconnect=true", null)
              .json()
              .get("publishKey")
              .textValue();
      secrets.add(rotatedKey);
      hushedOrigin.awaitError("key-rotated");
      try (TestNode wrong = TestNode.connect(vertx, c.baseUrl)) {
        wrong.send(
            new Message.Join("hushed", "origin", hushedKey, null, null, null, null, contentKey));
        wrong.awaitError("bad-credential");
      }
      privateViewer.close();
      hushedOrigin.close();
      assertThat(
              c.rest.call("GET", "/api/streams", null, TestCoordinator.ADMIN_TOKEN + "x").status())
          .isEqualTo(401);
      assertThat(
              c.rest.admin("DELETE", "/api/booster-tokens/" + boosterToken + "nope", null).status())
          .isEqualTo(404);
      // Secrets at rest: the cluster's maps hold hashes, never the keys.
      String streams =
          c
              .coordinator
              .hazelcast()
              .<String, dev.waterfall.coordinator.streams.StreamRecord>getMap("waterfall.streams")
              .values()
              .stream()
              .map(r -> r.name() + " " + r.publishKeyHash())
              .toList()
              .toString();
      String tokens =
          c.coordinator.hazelcast().getMap("waterfall.boosterTokens").keySet().toString();
      assertThat(streams).contains("hygiene").doesNotContain(publishKey).doesNotContain(rotatedKey);
      assertThat(tokens).isNotEmpty().doesNotContain(boosterToken);

      // An address over a limit is logged, redacted.
      List<RawSocket> held = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        held.add(RawSocket.connect(vertx, c.baseUrl, Map.of("X-Forwarded-For", "203.0.113.77")));
      }
      RawSocket over =
          RawSocket.connect(vertx, c.baseUrl, Map.of("X-Forwarded-For", "203.0.113.77"));
      assertThat(over.nextErrorCode(5000)).isEqualTo("too-many-sockets");
      held.forEach(RawSocket::close);
      assertThat(c.rest.admin("DELETE", "/api/booster-tokens/" + boosterToken, null).status())
          .isEqualTo(204);
      viewer.close();
      booster.close();
      origin.close();
      Thread.sleep(300);
    } finally {
      vertx.close();
      root.detachAppender(appender);
      appender.stop();
      root.setLevel(rootLevel);
      waterfall.setLevel(waterfallLevel);
      context.getLogger("com.hazelcast").setLevel(Level.WARN);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    // The capture works: the session's ordinary lines are there.
    assertThat(log).contains("stream 'hygiene' created").contains("too-many-sockets from addr-");
    for (String secret : secrets) {
      assertThat(log).as("a credential in the log").doesNotContain(secret);
    }
    assertThat(log).as("a redacted client address").doesNotContain("203.0.113.77");
  }
}

package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TreeView;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each abuse limit, configured small, against a real coordinator over real WebSockets. The
 * coordinator trusts 127.0.0.1 as a reverse proxy, so each test speaks from its own address via
 * X-Forwarded-For and the tests do not share allowances.
 */
@DisplayName("abuse limits: per address, per socket, per stream")
class AbuseLimitsTest {
  private static final short POLICY_VIOLATION = 1008;
  private static final short TOO_BIG = 1009;
  private static final short ABNORMAL = 1006;
  private static TestCoordinator coordinator;
  private static Vertx vertx;
  private final List<RawSocket> sockets = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    coordinator =
        TestCoordinator.start(
            Map.of(
                "http.trustedProxies", "127.0.0.1",
                "signalling.maxSocketsPerIp", "3",
                "signalling.joinsPerIpPerSecond", "1",
                "signalling.joinBurstPerIp", "3",
                "signalling.messagesPerSecond", "5",
                "signalling.messageBurst", "10",
                "signalling.maxMessageBytes", "2048",
                "tree.maxNodesPerStream", "4"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    coordinator.close();
  }

  @org.junit.jupiter.api.AfterEach
  void closeSockets() {
    sockets.forEach(RawSocket::close);
  }

  private RawSocket from(String address) {
    RawSocket s =
        RawSocket.connect(
            vertx, coordinator.baseUrl, Map.of("X-Forwarded-For", "10.9.9.9, " + address));
    sockets.add(s);
    return s;
  }

  private static String join(String stream) {
    return "{\"v\":1,\"type\":\"join\",\"stream\":\"" + stream + "\",\"role\":\"viewer\"}";
  }

  private static final String HEARTBEAT = "{\"v\":1,\"type\":\"heartbeat\"}";

  private static JsonNode welcome(RawSocket s) {
    JsonNode m = s.next(10_000);
    assertThat(m).as("an answer to join").isNotNull();
    assertThat(m.path("type").asText()).as(m.toString()).isEqualTo("welcome");
    return m;
  }

  /** Proves a socket is open and served: a heartbeat before joining earns "not-joined". */
  private static void assertServed(RawSocket s) {
    s.send(HEARTBEAT);
    assertThat(s.nextErrorCode(5000)).isEqualTo("not-joined");
    assertThat(s.isClosed()).isFalse();
  }

  @Test
  void socketsPerAddress() throws Exception {
    List<RawSocket> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(from("198.51.100.1"));
    }
    held.forEach(AbuseLimitsTest::assertServed);
    RawSocket fourth = from("198.51.100.1");
    assertThat(fourth.nextErrorCode(5000)).isEqualTo("too-many-sockets");
    assertThat(fourth.awaitClosed(5000)).isTrue();
    assertThat(fourth.closeCode()).isEqualTo(POLICY_VIOLATION);
    // Another address is not affected.
    assertServed(from("198.51.100.99"));
    // A closed socket gives its place back.
    held.get(0).close();
    assertThat(held.get(0).awaitClosed(5000)).isTrue();
    RawSocket again = null;
    for (int i = 0; i < 50 && (again == null || again.isClosed()); i++) {
      Thread.sleep(50);
      again = from("198.51.100.1");
      again.awaitClosed(1000); // a refused socket closes 250 ms after its error
    }
    assertServed(again);
  }

  @Test
  void theJavaClientHearsARefusalThatCameBeforeItsHandlers() throws Exception {
    // 127.0.0.1 without a forwarded address is an address of its own here: fill its three sockets.
    for (int i = 0; i < 3; i++) {
      assertServed(from127());
    }
    var client =
        dev.waterfall.protocol.SignallingClient.connect(vertx, coordinator.baseUrl)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, java.util.concurrent.TimeUnit.SECONDS);
    Thread.sleep(500); // the refusal and the close arrive before anyone listens
    var messages = new java.util.concurrent.LinkedBlockingQueue<dev.waterfall.protocol.Message>();
    var closed = new java.util.concurrent.CountDownLatch(1);
    client.onMessage(messages::add).onClose(v -> closed.countDown());
    var first = messages.poll(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(first).isInstanceOf(dev.waterfall.protocol.Message.Error.class);
    assertThat(((dev.waterfall.protocol.Message.Error) first).code()).isEqualTo("too-many-sockets");
    assertThat(closed.await(5, java.util.concurrent.TimeUnit.SECONDS))
        .as("the close is reported too")
        .isTrue();
  }

  private RawSocket from127() {
    RawSocket s = RawSocket.connect(vertx, coordinator.baseUrl, Map.of());
    sockets.add(s);
    return s;
  }

  @Test
  void forwardedForIsIgnoredUnlessThePeerIsATrustedProxy() throws Exception {
    try (TestCoordinator untrusting =
        TestCoordinator.start(Map.of("signalling.maxSocketsPerIp", "2"))) {
      List<RawSocket> spoofed = new ArrayList<>();
      for (String forged : List.of("192.0.2.1", "192.0.2.2", "192.0.2.3")) {
        RawSocket s =
            RawSocket.connect(vertx, untrusting.baseUrl, Map.of("X-Forwarded-For", forged));
        sockets.add(s);
        spoofed.add(s);
      }
      // All three come from 127.0.0.1, whatever the header says: the third is over the limit of
      // two.
      assertServed(spoofed.get(0));
      assertServed(spoofed.get(1));
      assertThat(spoofed.get(2).nextErrorCode(5000)).isEqualTo("too-many-sockets");
      assertThat(spoofed.get(2).awaitClosed(5000)).isTrue();
      spoofed.forEach(RawSocket::close);
    }
  }

  @Test
  void joinsPerAddress() throws Exception {
    for (int i = 0; i < 3; i++) {
      coordinator.createStream("joins-" + i);
    }
    coordinator.createStream("joins-3");
    for (int i = 0; i < 3; i++) {
      try (RawSocket s = from("198.51.100.2")) {
        s.send(join("joins-" + i));
        welcome(s);
      }
    }
    RawSocket refused = from("198.51.100.2");
    refused.send(join("joins-3"));
    assertThat(refused.nextErrorCode(5000)).isEqualTo("too-many-joins");
    assertThat(refused.isClosed())
        .as("a client over the join rate may retry on the same socket")
        .isFalse();
    // The allowance refills at 1/s: the same socket gets in once it waits.
    Thread.sleep(1200);
    refused.send(join("joins-3"));
    welcome(refused);
  }

  @Test
  void messagesPerSocket() {
    RawSocket s = from("198.51.100.3");
    for (int i = 0; i < 14; i++) {
      s.send(HEARTBEAT);
    }
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      codes.add(s.nextErrorCode(5000));
    }
    // The burst of 10 is served ("not-joined": they were read), the rest is refused unread.
    assertThat(codes.subList(0, 10)).containsOnly("not-joined");
    assertThat(codes.subList(10, 14)).contains("rate-limited");
  }

  @Test
  void messageSize() {
    RawSocket s = from("198.51.100.4");
    s.send("{\"v\":1,\"type\":\"heartbeat\",\"stats\":{\"pad\":\"" + "x".repeat(3000) + "\"}}");
    assertThat(s.nextErrorCode(5000)).isEqualTo("too-large");
    assertServed(s);
    // Beyond four times the limit the WebSocket layer drops the connection before buffering the
    // frame: the client sees "message too big" or, when the close frame loses the race with the
    // reset, an abnormal close.
    s.send("x".repeat(9000));
    assertThat(s.awaitClosed(5000)).isTrue();
    assertThat(s.closeCode()).isIn(TOO_BIG, ABNORMAL);
  }

  @Test
  void nodesPerStream() throws Exception {
    coordinator.createStream("full");
    List<RawSocket> viewers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RawSocket v = from("198.51.100.10" + i);
      v.send(join("full"));
      welcome(v);
      viewers.add(v);
    }
    assertThat(TreeView.fetch(coordinator.rest, "full").assertValid().nodes).hasSize(4);
    RawSocket late = from("198.51.100.20");
    late.send(join("full"));
    assertThat(late.nextErrorCode(5000)).isEqualTo("stream-full");
    assertThat(late.isClosed()).as("refused, not cut: it may try again").isFalse();
    assertThat(TreeView.fetch(coordinator.rest, "full").assertValid().nodes).hasSize(4);
    // A departure frees a place.
    viewers.get(0).send("{\"v\":1,\"type\":\"leave\"}");
    assertThat(viewers.get(0).awaitClosed(5000)).isTrue();
    late.send(join("full"));
    welcome(late);
    assertThat(TreeView.fetch(coordinator.rest, "full").assertValid().nodes).hasSize(4);
  }
}

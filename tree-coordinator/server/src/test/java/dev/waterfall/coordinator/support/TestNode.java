package dev.waterfall.coordinator.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.NodeKey;
import dev.waterfall.protocol.SignallingClient;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A scripted tree node over a real WebSocket: send, then wait for what the coordinator says. */
public final class TestNode implements AutoCloseable {
  private final SignallingClient client;
  private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
  private volatile boolean closed;
  private volatile boolean joined;
  private volatile long interval = Long.MAX_VALUE;
  private long lastBeat;
  private volatile boolean heartbeats = true;
  private volatile com.fasterxml.jackson.databind.JsonNode stats;
  private final long timer;
  private final Vertx vertx;
  public Message.Welcome welcome;

  /** This node's own key: its joins send the public half, its resumes are signed with it. */
  public final NodeKey key = NodeKey.generate();

  /** When (System.nanoTime) each resume token reached this node, for the age its resume signs. */
  private final java.util.Map<String, Long> tokenArrivals =
      new java.util.concurrent.ConcurrentHashMap<>();

  private volatile String stream;

  private TestNode(Vertx vertx, SignallingClient client) {
    this.vertx = vertx;
    this.client = client;
    client
        .onMessage(
            m -> {
              if (m instanceof Message.Welcome w) {
                interval = w.heartbeatIntervalMs();
                joined = true;
                arrived(w.resumeToken());
              } else if (m instanceof Message.ResumeToken t) {
                arrived(t.resumeToken());
              }
              inbox.add(m);
            })
        .onClose(v -> closed = true);
    // Like a real node: heartbeats at the interval the welcome gave (twice as often, to be safe).
    this.timer =
        vertx.setPeriodic(
            100,
            t -> {
              long now = System.currentTimeMillis();
              if (joined && heartbeats && !closed && now - lastBeat >= interval / 2) {
                lastBeat = now;
                client.send(new Message.Heartbeat(null, stats));
              }
            });
  }

  /**
   * What this node's heartbeats report from now on, as a JSON object (e.g.
   * {"bytesFromParent":1000}).
   */
  public void stats(String json) {
    try {
      stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Stops heartbeats: to the coordinator this node has gone silent. */
  public void goSilent() {
    heartbeats = false;
  }

  public static TestNode connect(Vertx vertx, String baseUrl) {
    return connect(vertx, baseUrl, null);
  }

  /**
   * Over wss:// to an https {@code baseUrl}, trusting {@code trust} (null: the JVM's authorities).
   */
  public static TestNode connect(
      Vertx vertx, String baseUrl, io.vertx.core.net.TrustOptions trust) {
    try {
      return new TestNode(
          vertx,
          SignallingClient.connect(vertx, baseUrl, trust)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new AssertionError("could not connect to " + baseUrl, e);
    }
  }

  public static TestNode join(Vertx vertx, String baseUrl, String stream, String role, String key) {
    return join(vertx, baseUrl, new Message.Join(stream, role, key, null, null));
  }

  /** Joins with {@code join} and this node's key, as every node does. */
  public static TestNode join(Vertx vertx, String baseUrl, Message.Join join) {
    TestNode n = connect(vertx, baseUrl);
    n.stream = join.stream();
    n.send(join.withNodeKey(n.key.publicKey()));
    n.welcome = n.await(Message.Welcome.class);
    return n;
  }

  private void arrived(String token) {
    if (token != null) {
      tokenArrivals.putIfAbsent(token, System.nanoTime());
    }
  }

  /** A resume of this node's place with {@code token}, signed by this node now. */
  public Message.Resume resume(String token) {
    return resume(token, null);
  }

  /** The same, saying again the join's {@code maxChildren}. */
  public Message.Resume resume(String token, Integer maxChildren) {
    Long arrival = tokenArrivals.get(token);
    long age = arrival == null ? 0 : (System.nanoTime() - arrival) / 1_000_000;
    return resumeAged(token, age, maxChildren);
  }

  /** A resume signed as if {@code token} had reached this node {@code ageMs} ago (a test clock). */
  public Message.Resume resumeAged(String token, long ageMs, Integer maxChildren) {
    return key.resume(stream, id(), token, ageMs, maxChildren);
  }

  /** The certificate the coordinator presented to this node's socket. */
  public java.security.cert.X509Certificate serverCertificate() {
    return client.serverCertificate();
  }

  public String id() {
    return welcome.nodeId();
  }

  public void send(Message m) {
    client.send(m);
  }

  public void sendRaw(String text) {
    client.sendRaw(text);
  }

  /** The next message of this type; earlier messages of other types are kept for later awaits. */
  public <T extends Message> T await(Class<T> type) {
    return await(type, 10_000);
  }

  /** Waits for exactly this message (by equality); others are kept. */
  public Message awaitExactly(Message expected) {
    return awaitMatching(expected::equals, 10_000, expected.toString());
  }

  public <T extends Message> T await(Class<T> type, long timeoutMs) {
    return type.cast(awaitMatching(type::isInstance, timeoutMs, type.getSimpleName()));
  }

  public Message awaitMatching(
      java.util.function.Predicate<Message> wanted, long timeoutMs, String what) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<Message> skipped = new ArrayList<>();
    try {
      while (true) {
        long left = deadline - System.currentTimeMillis();
        Message m = left <= 0 ? null : inbox.poll(left, TimeUnit.MILLISECONDS);
        if (m == null) {
          throw new AssertionError("no " + what + " within " + timeoutMs + " ms; got " + skipped);
        }
        if (wanted.test(m)) {
          return m;
        }
        skipped.add(m);
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    } finally {
      // Put back what we skipped, in order, ahead of anything newer.
      List<Message> rest = new ArrayList<>();
      inbox.drainTo(rest);
      inbox.addAll(skipped);
      inbox.addAll(rest);
    }
  }

  public Message.Error awaitError(String code) {
    Message.Error e = await(Message.Error.class);
    assertThat(e.code()).as(e.message()).isEqualTo(code);
    assertThat(e.message()).isNotBlank();
    return e;
  }

  /** True if nothing of this type arrives within the window. */
  public boolean quietFor(Class<? extends Message> type, long ms) {
    try {
      await(type, ms);
      return false;
    } catch (AssertionError e) {
      return true;
    }
  }

  public boolean awaitClosed(long ms) {
    long deadline = System.currentTimeMillis() + ms;
    while (!closed && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    return closed;
  }

  public boolean isClosed() {
    return closed;
  }

  public List<Message> drain() {
    List<Message> out = new ArrayList<>();
    inbox.drainTo(out);
    return out;
  }

  /** Drops the socket without a leave: what a crash looks like to the coordinator. */
  @Override
  public void close() {
    vertx.cancelTimer(timer);
    if (!closed) {
      client.close();
    }
  }
}

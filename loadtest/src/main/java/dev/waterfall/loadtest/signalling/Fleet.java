package dev.waterfall.loadtest.signalling;

import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import dev.waterfall.protocol.ProtocolException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * All simulated nodes, in this process, on one Vert.x with the default event-loop pool (2 × cores): the
 * sockets spread over the loops, so one busy loop on our side does not pass for a slow coordinator.
 * One shared WebSocket client whose pool admits every socket (its default, 50 per host, would queue joins).
 * With several coordinators, slot i connects to coordinator i mod n (round-robin).
 */
final class Fleet implements AutoCloseable {
  private final Vertx vertx;
  private final WebSocketClient client;
  private final WebSocketConnectOptions[] connect;
  private final Viewer[] slots;
  private final AtomicInteger used = new AtomicInteger();
  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  /** Joined sockets the coordinator closed while we were not closing: nodes lost mid-measurement. */
  private final LongAdder dropped = new LongAdder();
  private final LongAdder closed = new LongAdder();
  private final RepairClock repairs = new RepairClock();
  private final LongAdder childrenAtDeparture = new LongAdder();
  private volatile boolean closing;
  private HeartbeatPacer pacer;

  Fleet(String baseUrl, int capacity) {
    this(List.of(baseUrl), capacity);
  }

  Fleet(List<String> baseUrls, int capacity) {
    this.vertx = Vertx.vertx(new VertxOptions());
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(capacity + 16).setConnectTimeout(30_000).setIdleTimeout(0));
    this.connect = baseUrls.stream().map(URI::create).map(uri -> new WebSocketConnectOptions()
        .setHost(uri.getHost()).setPort(uri.getPort()).setURI("/ws")).toArray(WebSocketConnectOptions[]::new);
    this.slots = new Viewer[capacity];
  }

  int eventLoops() {
    return VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
  }

  /**
   * Opens {@code count} nodes of {@code role}, at most {@code concurrency} joins in flight (connect, upgrade,
   * join, welcome), and returns when all are settled or the deadline passes.
   */
  JoinBatch join(String label, String stream, String role, String key, int count, int concurrency,
                 Progress progress, Deadline deadline) throws InterruptedException {
    String joinText = joinText(stream, role, key);
    JoinBatch batch = new JoinBatch(label, count, concurrency);
    progress.phase(label, count);
    batch.started = System.nanoTime();
    int opened = 0;
    for (; opened < count; opened++) {
      if (!batch.inFlight.tryAcquire(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS)) {
        break;
      }
      open(batch, joinText, "origin".equals(role), progress);
    }
    // Whatever was not opened (deadline) counts as not settled; wait for the ones in flight.
    for (int i = opened; i < count; i++) {
      batch.settled.countDown();
    }
    if (!batch.settled.await(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS)) {
      progress.extra("timed out waiting for " + batch.settled.getCount() + " welcomes");
    }
    batch.close();
    return batch;
  }

  /** The text of a join into {@code stream} as {@code role}. */
  static String joinText(String stream, String role, String key) {
    return MessageCodec.encode(new Message.Join(stream, role, key, null, null));
  }

  /** Opens one node into {@code batch} without waiting (the caller holds one of its {@code inFlight} permits). */
  void open(JoinBatch batch, String joinText, boolean origin, Progress progress) {
    int slot = used.getAndIncrement();
    if (slot >= slots.length) {
      throw new IllegalStateException("fleet capacity " + slots.length + " exceeded");
    }
    Viewer v = new Viewer(slot, batch, origin);
    slots[slot] = v;
    client.connect(connect[slot % connect.length]).onComplete(ar -> {
      if (ar.failed()) {
        batch.failed(v, "connect: " + ar.cause().getClass().getSimpleName());
        progress.step();
        return;
      }
      v.socket = ar.result();
      v.socket.textMessageHandler(text -> onText(v, text, progress));
      v.socket.closeHandler(x -> onClose(v, progress));
      v.joinSent = System.nanoTime();
      v.socket.writeTextMessage(joinText);
    });
  }

  /**
   * A random connected viewer (never the origin) that has not departed yet, or null after a few misses.
   * Only reads the slots; the caller's thread is the only one departing nodes.
   */
  Viewer pickDepartable(Random random) {
    int n = Math.min(used.get(), slots.length);
    for (int tries = 0; tries < 200 && n > 0; tries++) {
      Viewer v = slots[random.nextInt(n)];
      if (v != null && !v.origin && v.joined && !v.departed && v.socket != null && !v.socket.isClosed()) {
        return v;
      }
    }
    return null;
  }

  /**
   * Makes {@code v} go: a {@code leave} then close when {@code graceful}, else only the close (a crash as the
   * coordinator sees it). The departure is timed from here, for the repair latency of its children.
   */
  void depart(Viewer v, boolean graceful) {
    v.departed = true;
    childrenAtDeparture.add(v.children.get());
    repairs.departed(v.nodeId, v.parent, System.nanoTime());
    if (graceful) {
      v.socket.writeTextMessage(MessageCodec.encode(new Message.Leave()));
    }
    v.socket.close();
  }

  RepairClock repairs() {
    return repairs;
  }

  /** Children the departed nodes had when they went, by their own count of child-joined / child-left. */
  long childrenAtDeparture() {
    return childrenAtDeparture.sum();
  }

  private void onText(Viewer v, String text, Progress progress) {
    long now = System.nanoTime();
    Message m;
    try {
      m = MessageCodec.decode(text);
    } catch (ProtocolException e) {
      count("undecodable");
      return;
    }
    count(m.getClass().getSimpleName());
    if (v.departed) {
      return;
    }
    if (m instanceof Message.Reparent r) {
      count("Reparent " + r.reason());
      String old = v.parent;
      v.parent = r.parent();
      repairs.reparented(old, r.parent(), now);
    } else if (m instanceof Message.ChildJoined) {
      v.children.incrementAndGet();
    } else if (m instanceof Message.ChildLeft) {
      v.children.decrementAndGet();
    } else if (m instanceof Message.Welcome w && !v.joined) {
      v.nodeId = w.nodeId();
      v.parent = w.parent();
      v.joined = true;
      v.batch.welcomed(v, now, w.heartbeatIntervalMs());
      progress.step();
    } else if (m instanceof Message.Error e && !v.joined) {
      v.batch.failed(v, "error: " + e.code());
      progress.step();
    } else if (m instanceof Message.Error e) {
      count("error after join: " + e.code());
    }
  }

  private void onClose(Viewer v, Progress progress) {
    closed.increment();
    if (closing) {
      return;
    }
    if (v.departed) {
      return;
    }
    if (v.joined) {
      dropped.increment();
    } else if (!v.settled.get()) {
      v.batch.failed(v, "closed before welcome");
      progress.step();
    }
  }

  private void count(String type) {
    received.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  void startHeartbeats(long intervalMs, long tickMs) {
    pacer = new HeartbeatPacer(vertx, slots, MessageCodec.encode(new Message.Heartbeat(null, null)), intervalMs);
    pacer.start(tickMs);
  }

  long heartbeatsSent() {
    return pacer == null ? 0 : pacer.sent();
  }

  long dropped() {
    return dropped.sum();
  }

  int connected() {
    int n = 0;
    for (int i = 0; i < used.get() && i < slots.length; i++) {
      Viewer v = slots[i];
      if (v != null && v.joined && !v.departed && v.socket != null && !v.socket.isClosed()) {
        n++;
      }
    }
    return n;
  }

  Map<String, Long> received() {
    Map<String, Long> out = new TreeMap<>();
    received.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Closes every socket (waiting up to 15 s for them to go), then the client's Vert.x. */
  @Override
  public void close() throws Exception {
    closing = true;
    if (pacer != null) {
      pacer.stop();
    }
    for (Viewer v : slots) {
      if (v != null && v.socket != null && !v.socket.isClosed()) {
        v.socket.close();
      }
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (connected() > 0 && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    client.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }
}

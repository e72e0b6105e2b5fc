package dev.waterfall.loadtest.failover;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import dev.waterfall.protocol.ProtocolException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Simulated signalling nodes that behave as a real client does when its coordinator dies: each holds the list of
 * coordinator URLs (its own first, node i on coordinator i mod n; see {@link Node#target}), and when its socket
 * drops it reconnects to the next URL after relay-node's back-off (250 ms doubling to 10 s, half of it random jitter, so a crowd spreads
 * out) and sends {@code resume} with its node id and resume token. Every node heart-beats on the coordinator's
 * interval, paced evenly over the interval by one timer. Callbacks run on several event loops.
 */
final class Clients implements AutoCloseable {
  static final long FIRST_RETRY_MS = 250;
  static final long MAX_RETRY_MS = 10_000;

  /** A join: when the welcome came (wall ms), join sent → welcome, node opened → welcome (with any retries), where. */
  record JoinSample(long atMillis, long joinNanos, long connectNanos, int coordinator, boolean trickle) {}

  /**
   * A resume: socket dropped → resumed welcome ({@code nanos}); of it, dropped → new socket open (back-off, TCP,
   * WebSocket upgrade: {@code reconnectNanos}) and resume sent → welcome (the coordinator's answer:
   * {@code answerNanos}); connections it took; whether the node kept its parent.
   */
  record ResumeSample(int slot, long atMillis, long nanos, long reconnectNanos, long answerNanos, int attempts,
                      boolean sameParent, int coordinator) {}

  /** One simulated node. */
  final class Node {
    final int slot;
    final int home;
    final boolean trickle;
    final long createdNanos = System.nanoTime();
    volatile WebSocket socket;
    volatile int coordinator;
    volatile long joinSentNanos;
    volatile long resumeSentNanos;
    volatile String nodeId;
    volatile String resumeToken;
    volatile String parent;
    volatile boolean joined;
    /** Set once a first welcome came (or the join failed for good): a join is counted once. */
    volatile boolean settled;
    /** nanoTime its socket dropped while joined; -1 while connected. */
    volatile long droppedNanos = -1;
    volatile String parentAtDrop;
    volatile int attempt;
    volatile int tries;

    Node(int slot, int home, boolean trickle) {
      this.slot = slot;
      this.home = home;
      this.trickle = trickle;
    }

    /**
     * The coordinator index the next connection goes to: home first, then the others, in turn one way for half
     * the nodes and the other way for the rest, as clients that shuffle their list: a dead coordinator's nodes
     * then spread over the survivors.
     */
    int target() {
      int n = urls.length();
      int step = tries % n;
      return ((slot / n) % 2 == 0 ? home + step : home + n - step) % n;
    }
  }

  private final Vertx vertx;
  private final WebSocketClient client;
  private final String stream;
  private final String joinText;
  private final AtomicReferenceArray<String> urls;
  private final Node[] slots;
  private final AtomicInteger used = new AtomicInteger();
  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<JoinSample> joins = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<ResumeSample> resumes = new ConcurrentLinkedQueue<>();
  final LongAdder drops = new LongAdder();
  /** Drops by the coordinator index the socket was on: a survivor closing sockets means something else went wrong. */
  private final Map<String, LongAdder> dropsOn = new ConcurrentHashMap<>();
  /** (wall ms, lag ms) of a 100 ms timer on our own event loop: a client starved of CPU shows here. */
  final ConcurrentLinkedQueue<long[]> loopLag = new ConcurrentLinkedQueue<>();
  private long lagTimer = -1;
  /** {@code unknown-node} after a resume: the place was given up, the node joined afresh. */
  final LongAdder placesLost = new LongAdder();
  final LongAdder connectFailures = new LongAdder();
  final LongAdder heartbeats = new LongAdder();
  private volatile Semaphore initialPermits;
  /** The coordinators' heartbeat interval, from the first welcome (0 before). */
  volatile long heartbeatIntervalMs;
  private long trickleTimer = -1;
  private volatile boolean closing;
  private long heartbeatTimer = -1;

  Clients(List<String> baseUrls, String stream, int capacity) {
    this.vertx = Vertx.vertx(new VertxOptions());
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(capacity + 16).setConnectTimeout(10_000).setIdleTimeout(0));
    this.urls = new AtomicReferenceArray<>(baseUrls.toArray(String[]::new));
    this.stream = stream;
    this.joinText = MessageCodec.encode(new Message.Join(stream, "viewer", null, null, null));
    this.slots = new Node[capacity];
  }

  /** Coordinator {@code index} now answers at {@code baseUrl} (a restarted coordinator gets a new port). */
  void setUrl(int index, String baseUrl) {
    urls.set(index, baseUrl);
  }

  /**
   * Opens {@code count} nodes, at most {@code concurrency} joins in flight, spread round-robin; returns when
   * all have an outcome or {@code timeoutMs} passed.
   */
  void joinInitial(int count, int concurrency, long timeoutMs, Runnable step) throws InterruptedException {
    initialPermits = new Semaphore(concurrency);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (int i = 0; i < count; i++) {
      if (!initialPermits.tryAcquire(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
        break;
      }
      open(false);
      step.run();
    }
    while (settled() < used.get() && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    initialPermits = null;
  }

  /** Opens one node now on coordinator {@code slot mod n} (the trickle of joins during the run). */
  Node open(boolean trickle) {
    int slot = used.getAndIncrement();
    if (slot >= slots.length) {
      used.decrementAndGet();
      throw new IllegalStateException("client capacity " + slots.length + " exceeded");
    }
    Node n = new Node(slot, slot % urls.length(), trickle);
    slots[slot] = n;
    connect(n);
    return n;
  }

  private void connect(Node n) {
    if (closing) {
      return;
    }
    int target = n.target();
    URI uri = URI.create(urls.get(target));
    client.connect(new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort()).setURI("/ws"))
        .onComplete(ar -> {
          if (ar.failed()) {
            connectFailures.increment();
            retry(n);
            return;
          }
          WebSocket ws = ar.result();
          n.socket = ws;
          n.coordinator = target;
          ws.textMessageHandler(text -> onText(n, ws, text));
          ws.closeHandler(x -> onClose(n, ws));
          if (n.nodeId != null && n.resumeToken != null) {
            n.resumeSentNanos = System.nanoTime();
            ws.writeTextMessage(MessageCodec.encode(new Message.Resume(stream, n.nodeId, n.resumeToken)));
          } else {
            n.joinSentNanos = System.nanoTime();
            ws.writeTextMessage(joinText);
          }
        });
  }

  /** As relay-node's CoordinatorSession: the next URL after base/2 + random(base/2), base doubling per failure. */
  private void retry(Node n) {
    if (closing) {
      return;
    }
    n.tries++;
    long base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(n.attempt++, 10));
    long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    vertx.setTimer(Math.max(1, delay), t -> connect(n));
  }

  private void onText(Node n, WebSocket ws, String text) {
    long now = System.nanoTime();
    Message m;
    try {
      m = MessageCodec.decode(text);
    } catch (ProtocolException e) {
      count(received, "undecodable");
      return;
    }
    count(received, m.getClass().getSimpleName());
    if (m instanceof Message.Welcome w) {
      if (w.resumed() && n.droppedNanos >= 0) {
        boolean same = Objects.equals(w.parent(), n.parentAtDrop) && w.nodeId().equals(n.nodeId);
        resumes.add(new ResumeSample(n.slot, System.currentTimeMillis(), now - n.droppedNanos,
            n.resumeSentNanos - n.droppedNanos, now - n.resumeSentNanos, n.attempt, same,
            n.coordinator));
      } else if (!n.settled) {
        joins.add(new JoinSample(System.currentTimeMillis(), now - n.joinSentNanos, now - n.createdNanos,
            n.coordinator, n.trickle));
        settle(n);
      }
      heartbeatIntervalMs = w.heartbeatIntervalMs();
      n.droppedNanos = -1;
      n.attempt = 0;
      n.nodeId = w.nodeId();
      n.resumeToken = w.resumeToken();
      n.parent = w.parent();
      n.joined = true;
    } else if (m instanceof Message.Reparent r) {
      count(received, "Reparent " + r.reason());
      n.parent = r.parent();
    } else if (m instanceof Message.Error e) {
      count(received, "error " + e.code());
      onError(n, ws, e);
    }
  }

  private void onError(Node n, WebSocket ws, Message.Error e) {
    switch (e.code()) {
      case "unknown-node" -> {
        // Our place was given up: a lost place. Join afresh on this socket, as a real client does.
        placesLost.increment();
        n.nodeId = null;
        n.resumeToken = null;
        n.droppedNanos = -1;
        n.joinSentNanos = System.nanoTime();
        ws.writeTextMessage(joinText);
      }
      case "too-many-joins", "stream-full" -> vertx.setTimer(FIRST_RETRY_MS, t -> {
        if (!ws.isClosed()) {
          ws.writeTextMessage(n.nodeId != null && n.resumeToken != null
              ? MessageCodec.encode(new Message.Resume(stream, n.nodeId, n.resumeToken)) : joinText);
        }
      });
      default -> {
        if (!n.joined && !n.settled && n.droppedNanos < 0) {
          count(failures, "error " + e.code());
          settle(n);
        }
      }
    }
  }

  private void onClose(Node n, WebSocket ws) {
    if (closing || n.socket != ws) {
      return;
    }
    if (n.joined) {
      n.joined = false;
      n.droppedNanos = System.nanoTime();
      n.parentAtDrop = n.parent;
      drops.increment();
      count(dropsOn, Integer.toString(n.coordinator + 1));
    }
    // A joined node (or one mid-resume) resumes elsewhere; a join never answered is sent to the next one.
    retry(n);
  }

  private void settle(Node n) {
    if (!n.settled) {
      n.settled = true;
      Semaphore p = initialPermits;
      if (p != null && !n.trickle) {
        p.release();
      }
    }
  }

  private static void count(Map<String, LongAdder> map, String key) {
    map.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** Samples how late a 100 ms timer fires on our event loop, until closed. */
  void startLagProbe() {
    long[] last = {System.nanoTime()};
    lagTimer = vertx.setPeriodic(100, t -> {
      long now = System.nanoTime();
      loopLag.add(new long[] {System.currentTimeMillis(), Math.max(0, (now - last[0]) / 1_000_000 - 100)});
      last[0] = now;
    });
  }

  /** Sockets dropped so far, by coordinator number (1-based) they were on. */
  Map<String, Long> dropsByCoordinator() {
    Map<String, Long> out = new TreeMap<>();
    dropsOn.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Every node heart-beats once per {@code intervalMs}, slot i at its own offset (ticks of {@code tickMs}). */
  void startHeartbeats(long intervalMs, long tickMs) {
    String text = MessageCodec.encode(new Message.Heartbeat(null, null));
    long started = System.nanoTime();
    long intervalNanos = intervalMs * 1_000_000L;
    long[] cursor = {0};
    heartbeatTimer = vertx.setPeriodic(tickMs, t -> {
      int n = Math.max(1, used.get());
      long due = (long) ((double) n * (System.nanoTime() - started) / intervalNanos);
      for (; cursor[0] < due; cursor[0]++) {
        Node node = slots[(int) (cursor[0] % n)];
        WebSocket ws = node == null ? null : node.socket;
        if (node != null && node.joined && ws != null && !ws.isClosed()) {
          ws.writeTextMessage(text);
          heartbeats.increment();
        }
      }
    });
  }

  /** Opens {@code perSecond} new nodes a second, evenly (ticks of 20 ms), until {@link #stopTrickle}. */
  void startTrickle(double perSecond) {
    long started = System.nanoTime();
    long[] opened = {0};
    trickleTimer = vertx.setPeriodic(20, t -> {
      long due = (long) (perSecond * (System.nanoTime() - started) / 1e9);
      for (; opened[0] < due && used.get() < slots.length; opened[0]++) {
        open(true);
      }
    });
  }

  void stopTrickle() {
    if (trickleTimer >= 0) {
      vertx.cancelTimer(trickleTimer);
    }
  }

  int settled() {
    int s = 0;
    for (int i = 0; i < used.get(); i++) {
      if (slots[i] != null && slots[i].settled) {
        s++;
      }
    }
    return s;
  }

  /** Nodes welcomed and connected now. */
  int joined() {
    int s = 0;
    for (int i = 0; i < used.get(); i++) {
      if (slots[i] != null && slots[i].joined) {
        s++;
      }
    }
    return s;
  }

  /** Nodes whose socket dropped and that have not resumed yet. */
  int resuming() {
    int s = 0;
    for (int i = 0; i < used.get(); i++) {
      if (slots[i] != null && slots[i].droppedNanos >= 0) {
        s++;
      }
    }
    return s;
  }

  /** Joined nodes per coordinator index now. */
  int[] perCoordinator() {
    int[] out = new int[urls.length()];
    for (int i = 0; i < used.get(); i++) {
      Node n = slots[i];
      if (n != null && n.joined) {
        out[n.coordinator]++;
      }
    }
    return out;
  }

  Map<String, Long> received() {
    Map<String, Long> out = new TreeMap<>();
    received.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  Map<String, Long> failures() {
    Map<String, Long> out = new TreeMap<>();
    failures.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  @Override
  public void close() throws Exception {
    closing = true;
    stopTrickle();
    for (int i = 0; i < used.get(); i++) {
      WebSocket ws = slots[i] == null ? null : slots[i].socket;
      if (ws != null && !ws.isClosed()) {
        ws.close();
      }
    }
    // Heartbeats stop only after every close is queued: nodes still open keep beating, not dropped as silent.
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    if (lagTimer >= 0) {
      vertx.cancelTimer(lagTimer);
    }
    client.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }
}

package dev.waterfall.loadtest.kit.clients;

import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.protocol.Backoff;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import dev.waterfall.protocol.NodeKey;
import dev.waterfall.protocol.ProtocolException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * Simulated signalling nodes, in this process, on one Vert.x with the default event-loop pool (2 ×
 * cores): the sockets spread over the loops, so one busy loop on our side does not pass for a slow
 * coordinator. One shared WebSocket client whose pool admits every socket (its default, 50 per
 * host, would queue joins). Slot i connects to coordinator i mod n first. What a node does when its
 * socket drops is the fleet's one setting:
 *
 * <ul>
 *   <li>{@link #staying}: the drop is counted and the node stays gone (signalling: joins,
 *       heartbeats, churn);
 *   <li>{@link #resuming}: as a real client whose coordinator died, it reconnects to the next
 *       coordinator after the relays' back-off (protocol's {@link Backoff}: 250 ms doubling to 4 s,
 *       half of it random jitter, so a crowd spreads out) and sends {@code resume}; every join and
 *       resume is kept as a sample (failover).
 * </ul>
 */
public final class Fleet implements AutoCloseable {
  /**
   * A join: when the welcome came (wall ms), join sent → welcome, node opened → welcome (with any
   * retries), where.
   */
  public record JoinSample(
      long atMillis, long joinNanos, long connectNanos, int coordinator, boolean trickle) {}

  /**
   * A resume: socket dropped → resumed welcome ({@code nanos}); of it, dropped → new socket open
   * (back-off, TCP, WebSocket upgrade: {@code reconnectNanos}) and resume sent → welcome (the
   * coordinator's answer: {@code answerNanos}); connections it took; whether the node kept its
   * parent.
   */
  public record ResumeSample(
      int slot,
      long atMillis,
      long nanos,
      long reconnectNanos,
      long answerNanos,
      int attempts,
      boolean sameParent,
      int coordinator) {}

  private final boolean resumes;
  private final Vertx vertx;
  private final WebSocketClient client;
  private final AtomicReferenceArray<WebSocketConnectOptions> connect;
  private final Node[] slots;
  private final AtomicInteger used = new AtomicInteger();
  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

  /**
   * Joined sockets the coordinator closed while we were not closing: nodes lost mid-measurement.
   */
  private final LongAdder dropped = new LongAdder();

  /**
   * Drops by the coordinator (1-based) the socket was on: a survivor closing sockets means
   * something else broke.
   */
  private final Map<String, LongAdder> dropsOn = new ConcurrentHashMap<>();

  private final LongAdder connectFailures = new LongAdder();

  /** {@code unknown-node} after a resume: the place was given up, the node joined afresh. */
  private final LongAdder placesLost = new LongAdder();

  private final RepairClock repairs = new RepairClock();
  private final LongAdder childrenAtDeparture = new LongAdder();
  private final ConcurrentLinkedQueue<JoinSample> joins = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<ResumeSample> resumed = new ConcurrentLinkedQueue<>();

  /**
   * (wall ms, lag ms) of a 100 ms timer on our own event loop: a client starved of CPU shows here.
   */
  private final ConcurrentLinkedQueue<long[]> loopLag = new ConcurrentLinkedQueue<>();

  private volatile boolean closing;
  private HeartbeatPacer pacer;
  private JoinBatch trickle;
  private long trickleTimer = -1;
  private long lagTimer = -1;

  private Fleet(List<String> baseUrls, int capacity, boolean resumes) {
    this.resumes = resumes;
    this.vertx = Vertx.vertx(new VertxOptions());
    // A resuming node gives a coordinator that does not answer 10 s before it tries the next.
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(capacity + 16)
                .setConnectTimeout(resumes ? 10_000 : 30_000)
                .setIdleTimeout(0));
    this.connect = new AtomicReferenceArray<>(baseUrls.size());
    for (int i = 0; i < baseUrls.size(); i++) {
      setUrl(i, baseUrls.get(i));
    }
    this.slots = new Node[capacity];
  }

  /** Nodes whose dropped socket stays dropped. */
  public static Fleet staying(List<String> baseUrls, int capacity) {
    return new Fleet(baseUrls, capacity, false);
  }

  /** Nodes that resume their place on the next coordinator when their socket drops. */
  public static Fleet resuming(List<String> baseUrls, int capacity) {
    return new Fleet(baseUrls, capacity, true);
  }

  /**
   * Coordinator {@code index} now answers at {@code baseUrl} (a restarted coordinator gets a new
   * port).
   */
  public void setUrl(int index, String baseUrl) {
    URI uri = URI.create(baseUrl);
    connect.set(
        index,
        new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort()).setURI("/ws"));
  }

  public int eventLoops() {
    return VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
  }

  /**
   * Opens {@code count} nodes of {@code role}, at most {@code concurrency} joins in flight
   * (connect, upgrade, join, welcome), and returns when all are settled or the deadline passes.
   */
  public JoinBatch join(
      String label,
      String stream,
      String role,
      String key,
      int count,
      int concurrency,
      Progress progress,
      Deadline deadline)
      throws InterruptedException {
    String joinText = joinText(stream, role, key);
    JoinBatch batch = new JoinBatch(label, count, concurrency);
    progress.phase(label, count);
    batch.started = System.nanoTime();
    int opened = 0;
    for (; opened < count; opened++) {
      if (!batch.inFlight.tryAcquire(
          Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS)) {
        break;
      }
      open(batch, stream, joinText, "origin".equals(role), progress::step);
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
  public static String joinText(String stream, String role, String key) {
    return MessageCodec.encode(new Message.Join(stream, role, key, null, null));
  }

  /**
   * Opens one node into {@code batch} without waiting (the caller holds one of its {@code inFlight}
   * permits).
   */
  public void open(
      JoinBatch batch, String stream, String joinText, boolean origin, Runnable settledStep) {
    int slot = used.getAndIncrement();
    if (slot >= slots.length) {
      used.decrementAndGet();
      throw new IllegalStateException("fleet capacity " + slots.length + " exceeded");
    }
    Node n =
        new Node(
            slot,
            slot % connect.length(),
            stream,
            joinText,
            batch,
            origin,
            settledStep,
            resumes ? NodeKey.generate() : null);
    slots[slot] = n;
    connect(n);
  }

  private void connect(Node n) {
    if (closing) {
      return;
    }
    int target = n.target(connect.length());
    client
        .connect(connect.get(target))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                connectFailures.increment();
                if (resumes) {
                  retry(n);
                } else {
                  fail(n, "connect: " + ar.cause().getClass().getSimpleName());
                }
                return;
              }
              WebSocket ws = ar.result();
              n.socket = ws;
              n.coordinator = target;
              ws.textMessageHandler(text -> onText(n, ws, text));
              ws.closeHandler(x -> onClose(n, ws));
              if (n.nodeId != null && n.resumeToken != null) {
                n.resumeSent = System.nanoTime();
                ws.writeTextMessage(MessageCodec.encode(n.resume()));
              } else {
                n.joinSent = System.nanoTime();
                ws.writeTextMessage(n.joinText);
              }
            });
  }

  /**
   * As relay-node's CoordinatorSession: the next URL after base/2 + random(base/2), base doubling
   * per failure.
   */
  private void retry(Node n) {
    if (closing) {
      return;
    }
    n.tries++;
    vertx.setTimer(Math.max(1, Backoff.jittered(n.attempt++)), t -> connect(n));
  }

  private void fail(Node n, String why) {
    if (n.batch.failed(n, why)) {
      count(failures, why);
      n.settledStep.run();
    }
  }

  /**
   * A random connected viewer (never the origin) that has not departed yet, or null after a few
   * misses. Only reads the slots; the caller's thread is the only one departing nodes.
   */
  public Node pickDepartable(Random random) {
    int n = Math.min(used.get(), slots.length);
    for (int tries = 0; tries < 200 && n > 0; tries++) {
      Node v = slots[random.nextInt(n)];
      if (v != null
          && !v.origin
          && v.joined
          && !v.departed
          && v.socket != null
          && !v.socket.isClosed()) {
        return v;
      }
    }
    return null;
  }

  /**
   * Makes {@code v} go: a {@code leave} then close when {@code graceful}, else only the close (a
   * crash as the coordinator sees it). The departure is timed from here, for the repair latency of
   * its children.
   */
  public void depart(Node v, boolean graceful) {
    v.departed = true;
    childrenAtDeparture.add(v.children.get());
    repairs.departed(v.nodeId, v.parent, System.nanoTime());
    if (graceful) {
      v.socket.writeTextMessage(MessageCodec.encode(new Message.Leave()));
    }
    v.socket.close();
  }

  public RepairClock repairs() {
    return repairs;
  }

  /**
   * Children the departed nodes had when they went, by their own count of child-joined /
   * child-left.
   */
  public long childrenAtDeparture() {
    return childrenAtDeparture.sum();
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
    if (n.departed) {
      return;
    }
    if (m instanceof Message.Reparent r) {
      count(received, "Reparent " + r.reason());
      String old = n.parent;
      n.parent = r.parent();
      repairs.reparented(old, r.parent(), now);
    } else if (m instanceof Message.ResumeToken t) {
      n.resumeToken = t.resumeToken(); // the welcome's expires
      n.resumeTokenArrived = System.nanoTime();
    } else if (m instanceof Message.ChildJoined) {
      n.children.incrementAndGet();
    } else if (m instanceof Message.ChildLeft) {
      n.children.decrementAndGet();
    } else if (m instanceof Message.Welcome w && (resumes || !n.joined)) {
      onWelcome(n, w, now);
    } else if (m instanceof Message.Error e && resumes) {
      count(received, "error " + e.code());
      onError(n, ws, e);
    } else if (m instanceof Message.Error e && !n.joined) {
      fail(n, "error: " + e.code());
    } else if (m instanceof Message.Error e) {
      count(received, "error after join: " + e.code());
    }
  }

  private void onWelcome(Node n, Message.Welcome w, long now) {
    if (w.resumed() && n.droppedNanos >= 0) {
      boolean same = Objects.equals(w.parent(), n.parentAtDrop) && w.nodeId().equals(n.nodeId);
      resumed.add(
          new ResumeSample(
              n.slot,
              System.currentTimeMillis(),
              now - n.droppedNanos,
              n.resumeSent - n.droppedNanos,
              now - n.resumeSent,
              n.attempt,
              same,
              n.coordinator));
    } else if (n.batch.welcomed(n, now, w.heartbeatIntervalMs())) {
      if (resumes) {
        joins.add(
            new JoinSample(
                System.currentTimeMillis(),
                now - n.joinSent,
                now - n.connectStarted,
                n.coordinator,
                n.batch == trickle));
      }
      n.settledStep.run();
    }
    n.droppedNanos = -1;
    n.attempt = 0;
    n.nodeId = w.nodeId();
    n.resumeToken = w.resumeToken();
    n.resumeTokenArrived = System.nanoTime();
    n.parent = w.parent();
    n.joined = true;
  }

  /** A resuming node's answer to an error, as a real client's. */
  private void onError(Node n, WebSocket ws, Message.Error e) {
    switch (e.code()) {
      case "unknown-node" -> {
        // Our place was given up: a lost place. Join afresh on this socket, as a real client does.
        placesLost.increment();
        n.nodeId = null;
        n.resumeToken = null;
        n.droppedNanos = -1;
        n.joinSent = System.nanoTime();
        ws.writeTextMessage(n.joinText);
      }
      case "too-many-joins", "stream-full" ->
          vertx.setTimer(
              Backoff.FIRST_MS,
              t -> {
                if (!ws.isClosed()) {
                  ws.writeTextMessage(
                      n.nodeId != null && n.resumeToken != null
                          ? MessageCodec.encode(n.resume())
                          : n.joinText);
                }
              });
      default -> {
        if (!n.joined && n.droppedNanos < 0) {
          fail(n, "error " + e.code());
        }
      }
    }
  }

  private void onClose(Node n, WebSocket ws) {
    if (closing || n.departed || n.socket != ws) {
      return;
    }
    if (n.joined) {
      dropped.increment();
      count(dropsOn, Integer.toString(n.coordinator + 1));
      if (resumes) {
        n.joined = false;
        n.droppedNanos = System.nanoTime();
        n.parentAtDrop = n.parent;
      }
    } else if (!resumes) {
      fail(n, "closed before welcome");
    }
    // A resuming node (or one mid-resume) resumes elsewhere; a join never answered is sent to the
    // next one.
    if (resumes) {
      retry(n);
    }
  }

  private static void count(Map<String, LongAdder> map, String key) {
    map.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  private static Map<String, Long> sums(Map<String, LongAdder> map) {
    Map<String, Long> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Every node heart-beats once per {@code intervalMs}, slot i at its own offset (ticks of {@code
   * tickMs}).
   */
  public void startHeartbeats(long intervalMs, long tickMs) {
    // A resuming fleet cycles over the nodes opened so far, as failover's own client always did:
    // the due count then jumps by elapsed / interval with every new node, a burst of extra
    // heartbeats. Kept so that failover's figures stay comparable with those published; the staying
    // fleet cycles over all slots.
    IntSupplier cycle =
        resumes ? () -> Math.max(1, Math.min(used.get(), slots.length)) : () -> slots.length;
    pacer =
        new HeartbeatPacer(
            vertx,
            slots,
            cycle,
            MessageCodec.encode(new Message.Heartbeat(null, null)),
            intervalMs);
    pacer.start(tickMs);
  }

  /**
   * Opens {@code perSecond} new viewers of {@code stream} a second, evenly (ticks of 20 ms), until
   * stopped.
   */
  public void startTrickle(String stream, double perSecond) {
    trickle = new JoinBatch("trickle", 0, 1);
    String joinText = joinText(stream, "viewer", null);
    long started = System.nanoTime();
    long[] opened = {0};
    trickleTimer =
        vertx.setPeriodic(
            20,
            t -> {
              long due = (long) (perSecond * (System.nanoTime() - started) / 1e9);
              for (; opened[0] < due && used.get() < slots.length; opened[0]++) {
                open(trickle, stream, joinText, false, () -> {});
              }
            });
  }

  public void stopTrickle() {
    if (trickleTimer >= 0) {
      vertx.cancelTimer(trickleTimer);
    }
  }

  /** Samples how late a 100 ms timer fires on our event loop, until closed. */
  public void startLagProbe() {
    long[] last = {System.nanoTime()};
    lagTimer =
        vertx.setPeriodic(
            100,
            t -> {
              long now = System.nanoTime();
              loopLag.add(
                  new long[] {
                    System.currentTimeMillis(), Math.max(0, (now - last[0]) / 1_000_000 - 100)
                  });
              last[0] = now;
            });
  }

  public long heartbeatsSent() {
    return pacer == null ? 0 : pacer.sent();
  }

  public long dropped() {
    return dropped.sum();
  }

  /** Sockets dropped so far, by coordinator number (1-based) they were on. */
  public Map<String, Long> dropsByCoordinator() {
    return sums(dropsOn);
  }

  public long connectFailures() {
    return connectFailures.sum();
  }

  public long placesLost() {
    return placesLost.sum();
  }

  /** Each first welcome (resuming fleets only). */
  public ConcurrentLinkedQueue<JoinSample> joins() {
    return joins;
  }

  /** Each resumed welcome after a drop. */
  public ConcurrentLinkedQueue<ResumeSample> resumes() {
    return resumed;
  }

  public ConcurrentLinkedQueue<long[]> loopLag() {
    return loopLag;
  }

  /** Welcomed nodes whose socket is open and that have not departed. */
  public int connected() {
    int n = 0;
    for (int i = 0; i < used.get() && i < slots.length; i++) {
      Node v = slots[i];
      if (v != null && v.joined && !v.departed && v.socket != null && !v.socket.isClosed()) {
        n++;
      }
    }
    return n;
  }

  /** Nodes welcomed and not dropped since. */
  public int joined() {
    return (int) nodes().filter(n -> n.joined).count();
  }

  /** Nodes whose socket dropped and that have not resumed yet. */
  public int resuming() {
    return (int) nodes().filter(n -> n.droppedNanos >= 0).count();
  }

  /** Joined nodes per coordinator index now. */
  public int[] perCoordinator() {
    int[] out = new int[connect.length()];
    nodes().filter(n -> n.joined).forEach(n -> out[n.coordinator]++);
    return out;
  }

  private Stream<Node> nodes() {
    return Arrays.stream(slots, 0, Math.min(used.get(), slots.length)).filter(Objects::nonNull);
  }

  public Map<String, Long> received() {
    return sums(received);
  }

  /** Joins that failed for good, by why, over every batch. */
  public Map<String, Long> failures() {
    return sums(failures);
  }

  /** Closes every socket (waiting up to 15 s for them to go), then the client's Vert.x. */
  @Override
  public void close() throws Exception {
    closing = true;
    stopTrickle();
    for (Node v : slots) {
      if (v != null && v.socket != null && !v.socket.isClosed()) {
        v.socket.close();
      }
    }
    // Heartbeats stop only after every close is queued: nodes still open keep beating, not dropped
    // as silent.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (connected() > 0 && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    if (pacer != null) {
      pacer.stop();
    }
    if (lagTimer >= 0) {
      vertx.cancelTimer(lagTimer);
    }
    client.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }
}

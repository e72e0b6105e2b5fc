package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.protocol.Backoff;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.NodeKey;
import dev.waterfall.protocol.SignallingClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.TrustOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's signalling link to the coordinators: join (or resume), heartbeats with stats, and
 * reconnection with exponential back-off and jitter across the coordinator list. The data plane
 * does not depend on it: while it is down, chunks keep flowing over the established peer links.
 * Everything runs on the node's context. The list grows with the coordinators each welcome names,
 * so a relay given one URL can still fail over. On a drop it tries the coordinator that welcomed it
 * first (it may only have restarted), then the others in list order, as pages do
 * (p2p/signalling.js).
 */
final class CoordinatorSession {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorSession.class);

  /**
   * The cluster's list is trusted, but a bound keeps a misconfigured one from growing this without
   * end.
   */
  private static final int MAX_COORDINATORS = 64;

  /** What the node hears from the coordinator. */
  interface Handler {
    void welcome(Message.Welcome welcome);

    void message(Message message);

    /** A refusal retrying cannot fix (a wrong key): the node should stop. */
    void fatal(Message.Error error);
  }

  private final Context context;
  private final List<String> coordinators;
  private final Supplier<Message.Join> join;
  private final Supplier<JsonNode> stats;
  private final Handler handler;
  private SignallingClient client;

  /** What a wss:// coordinator's certificate is checked against (null: the JVM's authorities). */
  private final TrustOptions trust;

  private String nodeId;
  private String resumeToken;

  /**
   * This process's own key: its public half goes in every join, its private half never leaves, and
   * signs each resume (a copy of the token alone is no use: docs/security.md).
   */
  private final NodeKey key = NodeKey.generate();

  /** When (System.nanoTime) the current resume token arrived: a resume signs its age. */
  private long resumeTokenArrived;

  private long heartbeatTimer = -1;

  /**
   * Set while draining: every heartbeat says uplink 0, so the coordinator moves the children away.
   */
  private boolean noChildren;

  private final Backoff backoff = new Backoff();

  /**
   * The coordinator that last welcomed us (until then the list's first), tried first on every
   * reconnection.
   */
  private String current;

  /**
   * Tries since the last welcome: which of [current, ...the others] the next connection goes to.
   */
  private int tries;

  private boolean stopped;

  CoordinatorSession(
      Context context,
      List<String> coordinators,
      TrustOptions trust,
      Supplier<Message.Join> join,
      Supplier<JsonNode> stats,
      Handler handler) {
    this.context = context;
    this.trust = trust;
    if (coordinators.isEmpty()) {
      throw new IllegalArgumentException(
          "a relay needs at least one coordinator URL (--coordinator)");
    }
    this.coordinators = new java.util.ArrayList<>(coordinators);
    this.current = this.coordinators.get(0);
    this.join = join;
    this.stats = stats;
    this.handler = handler;
  }

  void start() {
    connect();
  }

  String nodeId() {
    return nodeId;
  }

  boolean connected() {
    return client != null && !client.isClosed() && nodeId != null;
  }

  /**
   * Sends if connected; a signal lost during an outage is re-sent by the peer link's own retries or
   * repair.
   */
  void send(Message message) {
    if (client != null && !client.isClosed()) {
      client.send(message);
    }
  }

  private void connect() {
    if (stopped) {
      return;
    }
    String url = candidate(coordinators, current, tries++);
    SignallingClient.connect(context.owner(), url, trust)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      if (ar.failed()) {
                        LOG.info(
                            "coordinator {} unreachable ({}); retrying",
                            url,
                            ar.cause().getMessage());
                        retry();
                        return;
                      }
                      client = ar.result();
                      client.onMessage(m -> context.runOnContext(x -> onMessage(url, m)));
                      client.onClose(x -> context.runOnContext(y -> onClose()));
                      if (nodeId != null && resumeToken != null) {
                        client.send(resume());
                      } else {
                        client.send(join.get().withNodeKey(key.publicKey()));
                      }
                    }));
  }

  /** A resume says again what the join said of this node's children ({@code --max-children}). */
  private Message.Resume resume() {
    Message.Join j = join.get();
    long ageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumeTokenArrived);
    return key.resume(j.stream(), nodeId, resumeToken, ageMs, j.maxChildren());
  }

  /**
   * The `n`th coordinator to try since the last welcome: `current`, then the others in list order,
   * round again.
   */
  static String candidate(List<String> coordinators, String current, int n) {
    int i = n % coordinators.size();
    if (i == 0) {
      return current;
    }
    int others = 0;
    for (String url : coordinators) {
      if (!url.equals(current) && ++others == i) {
        return url;
      }
    }
    return current; // not reached while current is in the list (it always is)
  }

  private void onMessage(String from, Message m) {
    if (m instanceof Message.Welcome w) {
      backoff.reset();
      tries = 0;
      current = from;
      nodeId = w.nodeId();
      resumeToken = w.resumeToken();
      resumeTokenArrived = System.nanoTime();
      if (w.coordinators() != null) {
        for (String url : w.coordinators()) {
          if (!coordinators.contains(url) && coordinators.size() < MAX_COORDINATORS) {
            coordinators.add(url);
          }
        }
      }
      startHeartbeats(w.heartbeatIntervalMs());
      handler.welcome(w);
    } else if (m instanceof Message.ResumeToken t) {
      resumeToken = t.resumeToken(); // the last one expires: resume with this one
      resumeTokenArrived = System.nanoTime();
    } else if (m instanceof Message.Error e) {
      onError(e);
    } else {
      handler.message(m);
    }
  }

  private void onError(Message.Error e) {
    ErrorCode code = ErrorCode.fromWire(e.code());
    if (code == null) {
      code = ErrorCode.INTERNAL; // a code this version does not know: logged and handed on below
    }
    switch (code) {
      case UNKNOWN_NODE -> {
        // Our place was given up while we were away: join afresh on the same socket.
        nodeId = null;
        resumeToken = null;
        client.send(join.get());
      }
      case EVICTED -> {
        // A repair found no slot for us: we are out of the tree, but this socket is still joined,
        // so a join on it would get already-joined. Close it; the reconnect joins afresh. The HTTP
        // server and the links we hold go on meanwhile.
        LOG.warn(
            "evicted from the tree of '{}' ({}): joining afresh on a new socket; HTTP keeps"
                + " serving meanwhile",
            join.get().stream(),
            e.message());
        nodeId = null;
        resumeToken = null;
        if (client != null) {
          client.close();
        }
      }
      // Over a limit, or no free slot (as after an eviction): a refusal for now, not a verdict.
      case TOO_MANY_JOINS, STREAM_FULL, NO_SLOT -> {
        // Ask again later on the same socket.
        LOG.info("coordinator: {} ({}); asking again shortly", e.message(), e.code());
        long delay = backoff.nextUnjittered();
        context
            .owner()
            .setTimer(
                delay, t -> send(nodeId != null && resumeToken != null ? resume() : join.get()));
      }
      case BAD_CREDENTIAL -> {
        if (nodeId != null && resumeToken != null) {
          // Our resume token is spent (the place was resumed since) or from another cluster secret:
          // the place is not ours to take back. The coordinator closes the socket; the reconnect
          // joins afresh.
          LOG.warn("coordinator refused our resume ({}); joining afresh", e.message());
          nodeId = null;
          resumeToken = null;
          return;
        }
        LOG.error("coordinator refused this node: {} ({})", e.message(), e.code());
        stopped = true;
        handler.fatal(e);
      }
      // key-rotated: the admin gave the stream a new publish key and cut this origin off; ours is
      // no good now.
      case ORIGIN_TAKEN, UNKNOWN_STREAM, PRIVATE_STREAM, STREAM_DELETED, KEY_ROTATED -> {
        LOG.error("coordinator refused this node: {} ({})", e.message(), e.code());
        stopped = true;
        handler.fatal(e);
      }
      default -> {
        LOG.warn("coordinator error {}: {}", e.code(), e.message());
        handler.message(e);
      }
    }
  }

  private void onClose() {
    client = null;
    stopHeartbeats();
    if (!stopped) {
      LOG.warn("lost the coordinator; the stream keeps flowing, reconnecting");
      retry();
    }
  }

  private void retry() {
    context.owner().setTimer(backoff.next(), t -> connect());
  }

  private void startHeartbeats(long intervalMs) {
    stopHeartbeats();
    heartbeatTimer = context.owner().setPeriodic(intervalMs, t -> heartbeat());
  }

  private void heartbeat() {
    send(new Message.Heartbeat(noChildren ? Integer.valueOf(0) : null, stats.get()));
  }

  /**
   * From now on this node wants no children: a heartbeat at once and every one after it declare an
   * uplink of 0, which the coordinator turns into 0 slots, moving the children elsewhere
   * (make-before-break on their side). Call on the node's context.
   */
  void refuseChildren() {
    noChildren = true;
    heartbeat();
  }

  private void stopHeartbeats() {
    if (heartbeatTimer >= 0) {
      context.owner().cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
  }

  /**
   * Graceful: tell the coordinator we leave, and wait (briefly) for it to close the socket, which
   * it does once our children have been re-attached. Completes either way; a process exiting right
   * after still said goodbye.
   */
  Future<Void> stop() {
    stopped = true;
    stopHeartbeats();
    SignallingClient c = client;
    if (c == null || c.isClosed()) {
      return Future.succeededFuture();
    }
    Promise<Void> closed = Promise.promise();
    c.onClose(v -> closed.tryComplete());
    c.send(new Message.Leave());
    return closed.future().timeout(2, TimeUnit.SECONDS).recover(e -> c.close());
  }
}

package dev.waterfall.loadtest.soak;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.peer.PeerLink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated child of the booster: a viewer that joins over the coordinator's WebSocket with
 * upload off (so it stays a leaf), offers a DataChannel edge to the parent it is given (a real
 * webrtc-java peer, speaking what a page speaks), takes frames for {@code lifeMs} after the channel
 * opens, then leaves gracefully: the coordinator tells the booster, which tears its end down. Its
 * state lives on one Vert.x context; WebRTC callbacks hop onto it. The future completes once both
 * the socket and the link are closed.
 */
final class SoakChild {
  /** How the child ended, for the counts. */
  enum Outcome {
    CLOSED,
    FAILED,
    MISPLACED,
    REFUSED,
    IN_RECYCLE
  }

  private static final long HEARTBEAT_MS = 2000;

  /**
   * Beyond the link's own open timeout and the life: a child that has not ended by then is ended by
   * force.
   */
  private static final long GUARD_EXTRA_MS = 30_000;

  private final Context context;
  private final String stream;
  private final CurrentBooster booster;
  private final PeerFactory peers;
  private final long lifeMs;
  private final EdgeCounts counts;
  private final CompletableFuture<Outcome> done = new CompletableFuture<>();
  private SignallingClient client;
  private PeerLink link;
  private String parent;
  private long welcomedNanos;
  private boolean opened;
  private volatile boolean gotData;
  private boolean linkClosed;
  private boolean socketClosed;
  private boolean left;
  private Outcome outcome = Outcome.FAILED;

  /** Placed, refused or ended while the booster was between processes. */
  private boolean inRecycle;

  private long heartbeat = -1;
  private long guard = -1;

  private SoakChild(
      Vertx vertx,
      String stream,
      CurrentBooster booster,
      PeerFactory peers,
      long lifeMs,
      EdgeCounts counts) {
    this.context = vertx.getOrCreateContext();
    this.stream = stream;
    this.booster = booster;
    this.peers = peers;
    this.lifeMs = lifeMs;
    this.counts = counts;
  }

  static CompletableFuture<Outcome> run(
      Vertx vertx,
      String base,
      String stream,
      CurrentBooster booster,
      PeerFactory peers,
      long lifeMs,
      EdgeCounts counts) {
    SoakChild child = new SoakChild(vertx, stream, booster, peers, lifeMs, counts);
    child.context.runOnContext(v -> child.connect(base));
    return child.done;
  }

  private void connect(String base) {
    long guardMs = peers.settings().openTimeout().toMillis() + lifeMs + GUARD_EXTRA_MS;
    guard = context.owner().setTimer(guardMs, t -> forceEnd());
    SignallingClient.connect(context.owner(), base)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      if (ar.failed()) {
                        socketClosed = true;
                        finishIfOver();
                        return;
                      }
                      client = ar.result();
                      client.onMessage(m -> context.runOnContext(x -> onMessage(m)));
                      client.onClose(
                          x ->
                              context.runOnContext(
                                  y -> {
                                    socketClosed = true;
                                    finishIfOver();
                                  }));
                      client.send(new Message.Join(stream, "viewer", null, false, null));
                      heartbeat =
                          context
                              .owner()
                              .setPeriodic(
                                  HEARTBEAT_MS,
                                  t -> client.send(new Message.Heartbeat(null, null)));
                    }));
  }

  private void onMessage(Message m) {
    if (m instanceof Message.Welcome w) {
      parent = w.parent();
      welcomedNanos = System.nanoTime();
      inRecycle = booster.recycling();
      if (!booster.id().equals(parent)) {
        // the anchors leave no room elsewhere, but the old booster's slot during a recycle: leave
        // at once
        outcome = Outcome.MISPLACED;
        leave();
        return;
      }
      List<Message.IceServer> ice = w.iceServers() == null ? List.of() : w.iceServers();
      link = PeerLink.offer(peers, ice, new Listener());
    } else if (m instanceof Message.Signal s
        && link != null
        && s.from() != null
        && s.from().equals(parent)) {
      try {
        link.onRemoteSignal(s.data());
      } catch (IllegalArgumentException e) {
        // a signal the link cannot use: its open timeout decides
      }
    } else if (m instanceof Message.Error e && parent == null) {
      outcome = Outcome.REFUSED; // e.g. no-slot: not an edge of the booster's
      inRecycle = booster.recycling();
      client.close();
    } else if (m instanceof Message.Error e && "evicted".equals(e.code())) {
      // a draining booster's child: its link stays until the child ends it
      counts.evicted.incrementAndGet();
    }
  }

  private void opened() {
    opened = true;
    counts.made.incrementAndGet();
    counts.openMs.recordValue(Math.max(0, (System.nanoTime() - welcomedNanos) / 1_000_000));
    context.owner().setTimer(lifeMs, t -> leave());
  }

  private void linkClosed() {
    if (done.isDone()) {
      return; // ended by force before libwebrtc reported the close
    }
    linkClosed = true;
    if (opened) {
      outcome = Outcome.CLOSED;
      counts.closed.incrementAndGet();
      if (gotData) {
        counts.withData.incrementAndGet();
      }
    }
    leave(); // the edge died early (or we closed it): leave the tree too
    finishIfOver();
  }

  /**
   * Graceful: tell the coordinator (it tells the booster and then closes our socket), and close our
   * end.
   */
  private void leave() {
    if (left) {
      return;
    }
    left = true;
    if (client != null && !client.isClosed()) {
      client.send(new Message.Leave());
    }
    if (link != null) {
      link.close();
    }
    finishIfOver();
  }

  private void forceEnd() {
    leave();
    if (client != null) {
      client.close();
    }
    socketClosed = true;
    linkClosed = true;
    finishIfOver();
  }

  private void finishIfOver() {
    if (!socketClosed || (link != null && !linkClosed) || done.isDone()) {
      return;
    }
    if (heartbeat >= 0) {
      context.owner().cancelTimer(heartbeat);
    }
    context.owner().cancelTimer(guard);
    if (outcome != Outcome.CLOSED && (inRecycle || booster.recycling())) {
      (outcome == Outcome.REFUSED
              ? counts.refusedInRecycle
              : outcome == Outcome.MISPLACED ? counts.elsewhereInRecycle : counts.failedInRecycle)
          .incrementAndGet();
      outcome = Outcome.IN_RECYCLE;
    } else if (outcome == Outcome.FAILED) {
      counts.failed.incrementAndGet();
    } else if (outcome == Outcome.REFUSED) {
      counts.refused.incrementAndGet();
    } else if (outcome == Outcome.MISPLACED) {
      counts.misplaced.incrementAndGet();
    }
    done.complete(outcome);
  }

  /** The link's callbacks arrive on libwebrtc's threads: each hops onto the child's context. */
  private final class Listener implements PeerLink.Listener {
    @Override
    public void onSignal(ObjectNode data) {
      context.runOnContext(
          v -> {
            if (client != null && !client.isClosed()) {
              client.send(new Message.Signal(null, parent, data));
            }
          });
    }

    @Override
    public void onOpen() {
      context.runOnContext(v -> opened());
    }

    @Override
    public void onMessage(byte[] message) {
      counts.bytes.addAndGet(message.length);
      if (!gotData) {
        context.runOnContext(v -> gotData = true);
      }
    }

    @Override
    public void onClosed(String reason) {
      context.runOnContext(v -> linkClosed());
    }
  }
}

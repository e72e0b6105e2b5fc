package dev.waterfall.e2e;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.frame.FrameException;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.peer.PeerLink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A test double of a booster: it joins the tree like one (booster token, heartbeats, WebRTC to its
 * parent and children, the child offering), but passes every frame from its parent through {@code
 * tamper} before it sends the result to its children. It serves no HLS, so it is never on anyone's
 * fallback list: honest nodes can only repair what it breaks from honest sources. All state lives
 * on one Vert.x context.
 */
final class LyingBooster implements AutoCloseable {
  private final Context context;
  private final PeerFactory peers;
  private final Function<byte[], List<byte[]>> tamper;
  private final Map<String, PeerLink> children = new ConcurrentHashMap<>();
  private final CompletableFuture<Message.Welcome> welcomed = new CompletableFuture<>();
  final AtomicLong framesFromParent = new AtomicLong();
  final AtomicLong framesToChildren = new AtomicLong();
  private SignallingClient client;
  private List<Message.IceServer> ice = List.of();
  private volatile String nodeId;
  private String parentId;
  private PeerLink parent;
  private long heartbeats = -1;

  private LyingBooster(Vertx vertx, PeerFactory peers, Function<byte[], List<byte[]>> tamper) {
    this.context = vertx.getOrCreateContext();
    this.peers = peers;
    this.tamper = tamper;
  }

  /** Joins {@code stream} as a booster and returns once welcomed. */
  static LyingBooster join(StreamRig rig, String stream, Function<byte[], List<byte[]>> tamper)
      throws Exception {
    LyingBooster b = new LyingBooster(rig.vertx, rig.peers, tamper);
    String token = rig.boosterToken();
    b.context.runOnContext(
        v ->
            SignallingClient.connect(rig.vertx, rig.base)
                .onComplete(
                    ar ->
                        b.context.runOnContext(
                            x -> {
                              if (ar.failed()) {
                                b.welcomed.completeExceptionally(ar.cause());
                                return;
                              }
                              b.client = ar.result();
                              b.client.onMessage(m -> b.context.runOnContext(y -> b.onMessage(m)));
                              b.client.send(new Message.Join(stream, "booster", token, true, null));
                            })));
    b.welcomed.get(30, TimeUnit.SECONDS);
    return rig.add(b);
  }

  String nodeId() {
    return nodeId;
  }

  /**
   * Flips one byte in the payload of every CHUNK frame; headers, windows and anything undecodable
   * pass as they are.
   */
  static List<byte[]> flipChunkBytes(byte[] bytes) {
    try {
      if (FrameCodec.decode(bytes) instanceof Frame.Chunk c) {
        byte[] payload = c.payload();
        payload[payload.length / 2] ^= 0x5A;
        return List.of(FrameCodec.encode(new Frame.Chunk(c.sequence(), c.index(), payload)));
      }
    } catch (FrameException e) {
      // not ours to judge: pass it on
    }
    return List.of(bytes);
  }

  // --- signalling (on the context)
  // ------------------------------------------------------------------------

  private void onMessage(Message m) {
    if (m instanceof Message.Welcome w) {
      nodeId = w.nodeId();
      ice = w.iceServers() == null ? List.of() : w.iceServers();
      if (heartbeats >= 0) {
        context.owner().cancelTimer(heartbeats);
      }
      ObjectNode stats = JsonNodeFactory.instance.objectNode();
      heartbeats =
          context
              .owner()
              .setPeriodic(
                  w.heartbeatIntervalMs(), t -> client.send(new Message.Heartbeat(null, stats)));
      connectTo(w.parent());
      welcomed.complete(w);
    } else if (m instanceof Message.Reparent r) {
      connectTo(r.parent());
    } else if (m instanceof Message.ChildJoined c) {
      childLink(c.child());
    } else if (m instanceof Message.ChildLeft c) {
      PeerLink gone = children.remove(c.child());
      if (gone != null) {
        gone.close();
      }
    } else if (m instanceof Message.Signal s) {
      PeerLink link = s.from().equals(parentId) ? parent : childLink(s.from());
      try {
        link.onRemoteSignal(s.data());
      } catch (IllegalArgumentException ignored) {
        // a stray signal for a link already replaced
      }
    }
  }

  private void connectTo(String id) {
    if (id == null || id.equals(parentId)) {
      return;
    }
    if (parent != null) {
      parent.close();
    }
    parentId = id;
    // Toward the parent we are the child: we offer.
    parent = PeerLink.offer(peers, ice, listener(id, true));
  }

  private PeerLink childLink(String id) {
    return children.computeIfAbsent(id, k -> PeerLink.answer(peers, ice, listener(k, false)));
  }

  private PeerLink.Listener listener(String peerId, boolean toParent) {
    return new PeerLink.Listener() {
      @Override
      public void onSignal(ObjectNode data) {
        context.runOnContext(v -> client.send(new Message.Signal(null, peerId, data)));
      }

      @Override
      public void onOpen() {}

      @Override
      public void onMessage(byte[] message) {
        if (toParent) {
          context.runOnContext(v -> forward(message)); // one context: frames stay in order
        }
      }

      @Override
      public void onClosed(String reason) {}
    };
  }

  private void forward(byte[] frame) {
    framesFromParent.incrementAndGet();
    for (byte[] out : tamper.apply(frame)) {
      for (PeerLink child : children.values()) {
        if (child.isOpen() && child.send(out)) {
          framesToChildren.incrementAndGet();
        }
      }
    }
  }

  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          if (heartbeats >= 0) {
            context.owner().cancelTimer(heartbeats);
          }
          if (client != null && !client.isClosed()) {
            client.send(new Message.Leave());
            client.close();
          }
          if (parent != null) {
            parent.close();
          }
          children.values().forEach(PeerLink::close);
          done.complete(null);
        });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // best effort
    }
  }
}

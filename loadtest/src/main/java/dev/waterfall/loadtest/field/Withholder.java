package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.peer.PeerLink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A withholding viewer for the field lab (issue 17): it joins the stream as a viewer does (real
 * signalling through the public TLS proxy, real WebRTC from its lab home), takes its parent's data,
 * accepts every child the coordinator gives it (each lane a child opens) and forwards them nothing.
 * It is the lab's adversary, never part of the product: it lives in loadtest and the product has no
 * switch for it. Run as its own process ({@code main}), it prints {@code welcome <nodeId>} once
 * placed, so the lab can follow its children in the coordinator's tree. All state lives on one
 * Vert.x context.
 */
public final class Withholder {
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final PeerFactory peers = new PeerFactory();
  private final Map<String, PeerLink> childLanes = new HashMap<>();
  private SignallingClient client;
  private List<Message.IceServer> ice = List.of();
  private String parentId;
  private PeerLink parent;
  private long heartbeats = -1;
  private long bytesFromParent;

  private Withholder() {}

  /** {@code Withholder <coordinator base URL> <stream>}: runs until killed. */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: Withholder <coordinator-url> <stream>");
      System.exit(2);
    }
    new Withholder().start(args[0], args[1]);
  }

  private void start(String base, String stream) {
    context.runOnContext(
        v ->
            SignallingClient.connect(vertx, base)
                .onComplete(
                    ar ->
                        context.runOnContext(
                            x -> {
                              if (ar.failed()) {
                                System.out.println("failed " + ar.cause());
                                System.exit(1);
                              }
                              client = ar.result();
                              client.onMessage(m -> context.runOnContext(y -> onMessage(m)));
                              // A generous uplink: shallowest-slot placement then gives it
                              // children.
                              client.send(new Message.Join(stream, "viewer", null, true, 20_000));
                            })));
  }

  private void onMessage(Message m) {
    if (m instanceof Message.Welcome w) {
      System.out.println(
          "welcome " + w.nodeId() + " depth " + w.depth() + " capacity " + w.capacity());
      ice = w.iceServers() == null ? List.of() : w.iceServers();
      if (heartbeats >= 0) {
        vertx.cancelTimer(heartbeats);
      }
      ObjectNode stats = JsonNodeFactory.instance.objectNode();
      heartbeats =
          vertx.setPeriodic(
              w.heartbeatIntervalMs(),
              t -> {
                stats.put("bytesFromParent", bytesFromParent);
                client.send(new Message.Heartbeat(null, stats));
              });
      connectTo(w.parent());
    } else if (m instanceof Message.Reparent r) {
      System.out.println("reparent " + r.parent());
      connectTo(r.parent());
    } else if (m instanceof Message.ChildJoined c) {
      System.out.println("child-joined " + c.child());
    } else if (m instanceof Message.ChildLeft c) {
      System.out.println("child-left " + c.child());
      childLanes.entrySet().removeIf(e -> closeIfOf(e.getKey(), e.getValue(), c.child()));
    } else if (m instanceof Message.Signal s) {
      try {
        if (s.from().equals(parentId)) {
          parent.onRemoteSignal(s.data());
        } else {
          int lane = s.data() != null && s.data().has("lane") ? s.data().get("lane").asInt() : 0;
          childLanes
              .computeIfAbsent(
                  s.from() + "#" + lane,
                  k -> PeerLink.answer(peers, ice, listener(s.from(), lane, false)))
              .onRemoteSignal(s.data());
        }
      } catch (IllegalArgumentException ignored) {
        // a stray signal for a link already replaced
      }
    } else {
      System.out.println("message " + m.getClass().getSimpleName());
    }
  }

  private static boolean closeIfOf(String key, PeerLink link, String child) {
    if (key.startsWith(child + "#")) {
      link.close();
      return true;
    }
    return false;
  }

  private void connectTo(String id) {
    if (id == null || id.equals(parentId)) {
      return;
    }
    if (parent != null) {
      parent.close();
    }
    parentId = id;
    parent = PeerLink.offer(peers, ice, listener(id, 0, true));
  }

  private PeerLink.Listener listener(String peerId, int lane, boolean toParent) {
    return new PeerLink.Listener() {
      @Override
      public void onSignal(ObjectNode data) {
        if (lane != 0) {
          data.put("lane", lane);
        }
        context.runOnContext(v -> client.send(new Message.Signal(null, peerId, data)));
      }

      @Override
      public void onOpen() {
        System.out.println((toParent ? "parent-open " : "child-open ") + peerId + " lane " + lane);
      }

      @Override
      public void onMessage(byte[] message) {
        if (toParent) {
          // Taken, never passed on: the withholding.
          context.runOnContext(v -> bytesFromParent += message.length);
        }
      }

      @Override
      public void onClosed(String reason) {
        System.out.println((toParent ? "parent-closed " : "child-closed ") + peerId + " " + reason);
      }
    };
  }
}

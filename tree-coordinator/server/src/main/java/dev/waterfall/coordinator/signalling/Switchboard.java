package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.cluster.Edge;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import dev.waterfall.protocol.ReparentReason;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers a message to a node wherever its socket is: straight to the socket when this coordinator
 * holds it, else over the clustered event bus to the coordinator that does (each listens on its own
 * address).
 */
final class Switchboard {
  private static final String HOLDS = ".holds";

  /** A header on a delivered {@code child-left}: the receiving node's earn check is due. */
  private static final String CHILD_LEFT = "child-left";

  static final long HOLDS_TIMEOUT_MS = 1000;
  static final long UNREACHABLE_MS = 10_000;
  private final EventBus bus;
  private final String self;
  private final Map<String, Session> local = new ConcurrentHashMap<>();

  /** Owners that did not answer {@link #holds}, with when (nanoTime). */
  private final Map<String, Long> unreachable = new ConcurrentHashMap<>();

  Switchboard(EventBus bus, String self) {
    this.bus = bus;
    this.self = self;
    bus.<String>consumer(
        address(self),
        m -> {
          Session s = local.get(m.headers().get("to"));
          if (s != null) {
            if (m.headers().contains(CHILD_LEFT)) {
              s.childLeft();
            }
            s.sendText(m.body());
          }
        });
    bus.<String>consumer(address(self) + HOLDS, m -> m.reply(holdsHere(m.body())));
  }

  /**
   * Whether node {@code nodeId} is connected to coordinator {@code owner} right now: asked of that
   * coordinator over the clustered event bus, so a resume cannot take a place whose node is alive
   * on another coordinator. An owner that does not answer within {@link #HOLDS_TIMEOUT_MS} (dead,
   * not yet noticed by the cluster) holds nothing, and is not asked again for {@link
   * #UNREACHABLE_MS}: its nodes resume one after another, each at once.
   */
  Future<Boolean> holds(String owner, String nodeId) {
    if (owner.equals(self)) {
      return Future.succeededFuture(holdsHere(nodeId));
    }
    Long since = unreachable.get(owner);
    if (since != null && System.nanoTime() - since < UNREACHABLE_MS * 1_000_000L) {
      return Future.succeededFuture(false);
    }
    return bus.<Boolean>request(
            address(owner) + HOLDS, nodeId, new DeliveryOptions().setSendTimeout(HOLDS_TIMEOUT_MS))
        .map(reply -> Boolean.TRUE.equals(reply.body()))
        .otherwise(
            e -> {
              unreachable.put(owner, System.nanoTime());
              return false;
            });
  }

  /**
   * A socket here, joined and open: a coordinator that is shutting down (its sockets closed) holds
   * nothing.
   */
  private boolean holdsHere(String nodeId) {
    Session s = nodeId == null ? null : local.get(nodeId);
    return s != null && s.state == Session.State.JOINED && !s.socket.isClosed();
  }

  static String address(String owner) {
    return "waterfall.coordinator." + owner;
  }

  String self() {
    return self;
  }

  void register(String nodeId, Session session) {
    local.put(nodeId, session);
  }

  void unregister(String nodeId, Session session) {
    local.remove(nodeId, session);
  }

  Session local(String nodeId) {
    return local.get(nodeId);
  }

  Iterable<Session> sessions() {
    return local.values();
  }

  int size() {
    return local.size();
  }

  void deliver(String owner, String nodeId, Message message) {
    if (owner == null || owner.isEmpty() || nodeId == null) {
      return; // not connected anywhere: it learns its place when it resumes or rejoins
    }
    String text = MessageCodec.encode(message);
    boolean childLeft = message instanceof Message.ChildLeft;
    if (owner.equals(self)) {
      Session s = local.get(nodeId);
      if (s != null) {
        if (childLeft) {
          s.childLeft();
        }
        s.sendText(text);
      }
    } else {
      DeliveryOptions options = new DeliveryOptions().addHeader("to", nodeId);
      if (childLeft) {
        options.addHeader(CHILD_LEFT, "");
      }
      bus.send(address(owner), text, options);
    }
  }

  /**
   * Tells everyone a set of new edges concerns: the new parent first (so it expects the offer),
   * then the node.
   */
  void announce(List<Edge> edges, ReparentReason reason) {
    for (Edge e : edges) {
      if (e.newParent() == null) {
        deliver(
            e.nodeOwner(),
            e.nodeId(),
            new Message.Error(
                ErrorCode.EVICTED.wire(),
                "the tree has no free slot left for you: play over HTTP and join again later"));
        continue;
      }
      deliver(e.newParentOwner(), e.newParent(), new Message.ChildJoined(e.nodeId()));
      if (e.oldParent() != null) {
        deliver(e.oldParentOwner(), e.oldParent(), new Message.ChildLeft(e.nodeId()));
      }
      deliver(
          e.nodeOwner(), e.nodeId(), new Message.Reparent(e.newParent(), e.depth(), reason.wire()));
    }
  }
}

package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.relay.peer.CandidatePair;
import dev.waterfall.relay.peer.PeerLink;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One tree edge seen from this node: the peer's id, its link (WebRTC, or a fake in unit tests), and
 * byte counts. Every callback of the link is moved onto the node's context ({@code onContext}), so
 * the node's state is only ever touched from one thread.
 */
final class PeerEdge {
  /** What the node does with this edge's events, on its context. */
  interface Events {
    void opened(PeerEdge edge);

    void frame(PeerEdge edge, byte[] bytes);

    void drained(PeerEdge edge);

    void closed(PeerEdge edge, String reason);
  }

  final String peerId;
  final boolean toParent;
  private final EdgeLink link;
  long bytesIn;
  long bytesOut;
  long slowSince = -1;

  /**
   * A child's: when its channel opened (-1: not yet), and when a frame for it was last skipped (its
   * queue full).
   */
  long openedAt = -1;

  /** The child asked for LL-HLS parts (a Java relay; pages know only segments so far). */
  boolean wantsParts;

  long lastSkippedAt = Long.MIN_VALUE / 2;
  long lastSlowReport;
  boolean closed;

  private PeerEdge(
      String peerId,
      boolean toParent,
      EdgeLinks links,
      List<Message.IceServer> ice,
      Executor context,
      Consumer<Message> signalling,
      Events events) {
    this.peerId = peerId;
    this.toParent = toParent;
    PeerLink.Listener listener =
        new PeerLink.Listener() {
          @Override
          public void onSignal(ObjectNode data) {
            context.execute(() -> signalling.accept(new Message.Signal(null, peerId, data)));
          }

          @Override
          public void onOpen() {
            context.execute(() -> events.opened(PeerEdge.this));
          }

          @Override
          public void onMessage(byte[] message) {
            context.execute(
                () -> {
                  bytesIn += message.length;
                  events.frame(PeerEdge.this, message);
                });
          }

          @Override
          public void onBufferedAmountLow() {
            context.execute(() -> events.drained(PeerEdge.this));
          }

          @Override
          public void onClosed(String reason) {
            context.execute(
                () -> {
                  closed = true;
                  events.closed(PeerEdge.this, reason);
                });
          }
        };
    // The child makes the offer: toward our parent we offer, toward a child we answer.
    this.link = toParent ? links.offer(ice, listener) : links.answer(ice, listener);
  }

  static PeerEdge toParent(
      String id,
      EdgeLinks f,
      List<Message.IceServer> ice,
      Executor ctx,
      Consumer<Message> signalling,
      Events events) {
    return new PeerEdge(id, true, f, ice, ctx, signalling, events);
  }

  static PeerEdge toChild(
      String id,
      EdgeLinks f,
      List<Message.IceServer> ice,
      Executor ctx,
      Consumer<Message> signalling,
      Events events) {
    return new PeerEdge(id, false, f, ice, ctx, signalling, events);
  }

  void signal(JsonNode data) {
    try {
      link.onRemoteSignal(data);
    } catch (IllegalArgumentException bad) {
      // A malformed signal from the peer: it cannot hurt the link, and the peer's ICE will time out
      // if it lies.
    }
  }

  boolean isOpen() {
    return !closed && link.isOpen();
  }

  long buffered() {
    return link.queuedEstimate();
  }

  boolean send(byte[] frame) {
    if (link.send(frame)) {
      bytesOut += frame.length;
      return true;
    }
    return false;
  }

  /**
   * The candidate pair carrying this edge, on the node's context (null while unknown, or once
   * closing).
   */
  void candidatePair(Executor context, Consumer<CandidatePair> answer) {
    link.candidatePair(pair -> context.execute(() -> answer.accept(pair)));
  }

  void close() {
    closed = true;
    link.close();
  }
}

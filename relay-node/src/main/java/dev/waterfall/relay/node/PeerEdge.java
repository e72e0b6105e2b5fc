package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.peer.PeerLink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One tree edge seen from this node: the peer's id, its links (WebRTC, or fakes in unit tests), and
 * byte counts. Every callback of the link is moved onto the node's context, so the node's state is
 * only ever touched from one thread. An edge carries one or more lanes ({@link Lanes}): the child
 * offers each (a relay opens {@link Lanes#DEFAULT_LANES} to its parent once lane 0 is open, and
 * answers as many as a child offers); lane 0 is the edge's life (it opens and closes the edge), the
 * others only add room.
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

  /** Lane 0 ({@link #link}) first, then the child's extra lanes as they were offered. */
  private final List<Lane> lanes = new ArrayList<>(Lanes.MAX_LANES);

  private final EdgeLinks factory;
  private final List<Message.IceServer> ice;
  private final Executor context;
  private final Consumer<Message> signalling;
  private final Events events;
  long bytesIn;
  long bytesOut;
  long slowSince = -1;

  /**
   * A child's: when its channel opened (-1: not yet), and when a frame for it was last skipped (its
   * queue full).
   */
  long openedAt = -1;

  /** The child asked for LL-HLS parts (a Java relay, or an LL page). */
  boolean wantsParts;

  /**
   * False once the child asked for parts only ({@code "segments":false}: an LL page with no child
   * that plays classic segments): it is then not sent the classic stream too.
   */
  boolean wantsSegments = true;

  long lastSkippedAt = Long.MIN_VALUE / 2;
  long lastSlowReport;
  boolean closed;

  private PeerEdge(
      String peerId,
      boolean toParent,
      EdgeLinks factory,
      List<Message.IceServer> ice,
      Executor context,
      Consumer<Message> signalling,
      Events events) {
    this.peerId = peerId;
    this.toParent = toParent;
    this.factory = factory;
    this.ice = ice;
    this.context = context;
    this.signalling = signalling;
    this.events = events;
    // The child makes the offer: toward our parent we offer, toward a child we answer.
    this.link = toParent ? factory.offer(ice, listener(0)) : factory.answer(ice, listener(0));
    lanes.add(new Lane(0, link));
  }

  /**
   * Lane {@code index}'s events, on the node's context. Every lane's data and drains count for the
   * edge; lane 0 is the edge's life (its opening begins the extra lanes toward a parent, its end
   * closes them all), an extra lane's end only removes it.
   */
  private PeerLink.Listener listener(int index) {
    return new PeerLink.Listener() {
      @Override
      public void onSignal(ObjectNode data) {
        if (index != 0) {
          data.put("lane", index); // lane 0's carry no field: what a single-lane peer sends
        }
        context.execute(() -> signalling.accept(new Message.Signal(null, peerId, data)));
      }

      @Override
      public void onOpen() {
        if (index != 0) {
          return;
        }
        context.execute(
            () -> {
              events.opened(PeerEdge.this);
              if (toParent) {
                // The extra lanes only once lane 0 proved a path: a parent ICE cannot reach costs
                // one attempt, not k.
                for (int i = 1; i < Lanes.DEFAULT_LANES && !closed; i++) {
                  lanes.add(new Lane(i, factory.offer(ice, listener(i))));
                }
              }
            });
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
        if (index != 0) {
          context.execute(() -> lanes.removeIf(l -> l.index == index));
          return;
        }
        context.execute(
            () -> {
              closed = true;
              for (Lane lane : lanes) {
                lane.link.close(); // the extra lanes end with lane 0
              }
              events.closed(PeerEdge.this, reason);
            });
      }
    };
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
    int index = Lanes.of(data);
    if (index < 0 || closed) {
      return; // a lane out of range: ignored, the edge's other lanes carry on
    }
    Lane lane = lane(index);
    if (lane == null && !toParent && "offer".equals(data.path("type").asText())) {
      lane = new Lane(index, factory.answer(ice, listener(index)));
      lanes.add(lane);
    }
    if (lane == null) {
      return;
    }
    try {
      lane.link.onRemoteSignal(data);
    } catch (IllegalArgumentException bad) {
      // A malformed signal from the peer: it cannot hurt the link, and the peer's ICE will time out
      // if it lies.
    }
  }

  boolean isOpen() {
    return !closed && link.isOpen();
  }

  private Lane lane(int index) {
    for (Lane lane : lanes) {
      if (lane.index == index) {
        return lane;
      }
    }
    return null;
  }

  /** Lanes whose channel is open. */
  int openLanes() {
    int n = 0;
    for (Lane lane : lanes) {
      n += lane.isOpen() ? 1 : 0;
    }
    return n;
  }

  /** Bytes queued on every lane together. */
  long buffered() {
    long sum = 0;
    for (Lane lane : lanes) {
      sum += lane.buffered();
    }
    return sum;
  }

  /** Queues a frame that is not a segment's (an LL-HLS part, an ask): lane 0 carries it. */
  boolean send(byte[] bytes) {
    return send(bytes, null);
  }

  /**
   * Queues one frame on the lanes it belongs on; false if lane 0 refused it or none would take it.
   * {@code frame} is what {@code bytes} encodes (null: not a segment's frame), see {@link
   * Lanes#forFrame}.
   */
  boolean send(byte[] bytes, Frame frame) {
    if (!isOpen()) {
      return false;
    }
    List<Lane> chosen = lanes.size() == 1 ? lanes : Lanes.forFrame(lanes, frame);
    boolean sent = false;
    for (Lane lane : List.copyOf(chosen)) {
      if (lane.link.send(bytes)) {
        bytesOut += bytes.length;
        sent = true;
      } else if (lane.index == 0) {
        return false;
      } else {
        // An extra lane that refused a header would later be handed that segment's chunks.
        lanes.remove(lane);
        lane.link.close();
      }
    }
    return sent;
  }

  /** One peer connection of the edge. */
  private static final class Lane implements Lanes.Lane {
    final int index;
    final EdgeLink link;
    Long firstSequence;

    Lane(int index, EdgeLink link) {
      this.index = index;
      this.link = link;
      this.firstSequence = index == 0 ? Long.MIN_VALUE : null;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public boolean isOpen() {
      return link.isOpen();
    }

    @Override
    public long buffered() {
      return link.queuedEstimate();
    }

    @Override
    public Long firstSequence() {
      return firstSequence;
    }

    @Override
    public void firstSequence(long sequence) {
      firstSequence = sequence;
    }
  }

  /**
   * The candidate pair carrying this edge, on the node's context (null while unknown, or once
   * closing).
   */
  void candidatePair(Executor context, Consumer<dev.waterfall.relay.peer.CandidatePair> answer) {
    link.candidatePair(pair -> context.execute(() -> answer.accept(pair)));
  }

  void close() {
    closed = true;
    for (Lane lane : lanes) {
      lane.link.close();
    }
  }
}

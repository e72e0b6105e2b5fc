package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Lanes: one tree edge carried by more than one peer connection, each with its own SCTP
 * association. On a lossy home-to-home path one association's congestion window caps the edge near
 * segment size ÷ (RTT × √loss): in the field lab (0.5 % loss at each home, ~120 ms RTT) a booster's
 * edge to a home carried ~1.1 Mbit/s of a 1 Mbit/s stream, headers waited 1.5 s behind the previous
 * segment's chunks and the child took half its bytes over HTTP. Each lane's window grows and halves
 * on its own losses, so k lanes carry ~k times as much. The child opens them (a signal's {@code
 * lane}); the parent sends each frame by the rule below, the browser's p2p/lanes.js:
 *
 * <ul>
 *   <li>a HEADER on every open lane (it is small); a lane's first header marks where its segments
 *       begin;
 *   <li>a CHUNK on the open lane with the least queued among those that carried its segment's
 *       header (lane 0 carried them all): each lane is ordered, so a chunk never overtakes its
 *       header;
 *   <li>anything else on lane 0.
 * </ul>
 */
final class Lanes {
  /** Lanes a relay opens to its parent (a page's default too: p2p/lanes.js). */
  static final int DEFAULT_LANES = 2;

  /** The most lanes one edge may have; a child's offer for a lane beyond is ignored. */
  static final int MAX_LANES = 4;

  /** What the rule needs of a lane. */
  interface Lane {
    int index();

    boolean isOpen();

    long buffered();

    /** The first segment whose header it carried; {@link Long#MIN_VALUE} for lane 0. */
    Long firstSequence();

    void firstSequence(long sequence);
  }

  private Lanes() {}

  /** The lane a signal's {@code data} is for: 0 when it names none, -1 when out of range. */
  static int of(JsonNode data) {
    JsonNode lane = data == null ? null : data.get("lane");
    if (lane == null || lane.isNull()) {
      return 0;
    }
    return lane.isInt() && lane.intValue() >= 0 && lane.intValue() < MAX_LANES
        ? lane.intValue()
        : -1;
  }

  /**
   * The lanes (lane 0 first) that carry a frame, by the rule above. {@code frame} is the decoded
   * form of what is sent, which the sender has at hand (it just decoded or encoded it): read here
   * again for every child, the bytes would be decoded once per child. Null for a frame of another
   * kind (an LL-HLS part, an ask), which goes on lane 0.
   */
  static <L extends Lane> List<L> forFrame(List<L> lanes, Frame frame) {
    List<L> open = new ArrayList<>(lanes.size());
    for (L lane : lanes) {
      if (lane.isOpen()) {
        open.add(lane);
      }
    }
    if (frame instanceof Frame.Header h) {
      long sequence = h.signed().sequence();
      for (L lane : open) {
        if (lane.firstSequence() == null) {
          lane.firstSequence(sequence);
        }
      }
      return open;
    }
    if (!(frame instanceof Frame.Chunk c)) {
      return !open.isEmpty() && open.get(0).index() == 0 ? List.of(open.get(0)) : List.of();
    }
    L best = null;
    for (L lane : open) {
      Long first = lane.firstSequence();
      if (first != null
          && first <= c.sequence()
          && (best == null || lane.buffered() < best.buffered())) {
        best = lane;
      }
    }
    return best == null ? List.of() : List.of(best);
  }
}

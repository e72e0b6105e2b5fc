package dev.waterfall.loadtest.signalling;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Repair latency under churn: from a node's departure being sent (a {@code leave}, or just closing its socket)
 * to each of its children receiving the {@code reparent} that moves it. Children know their parent from
 * {@code welcome} and earlier {@code reparent}s, so the reparent of a child whose old parent departed is a move
 * caused by that departure. Written from several event loops.
 */
final class RepairClock {
  /** Departed node id → nanoTime its departure was sent. */
  private final Map<String, Long> departedAt = new ConcurrentHashMap<>();
  private final Recorder latency = new Recorder(3);
  private final LongAdder moves = new LongAdder();
  private final LongAdder otherReparents = new LongAdder();
  private Histogram frozen;

  void departed(String nodeId, long nanos) {
    if (nodeId != null) {
      departedAt.put(nodeId, nanos);
    }
  }

  /**
   * A node whose parent was {@code oldParent} got a {@code reparent} at {@code now}. Returns whether it was a
   * repair of a departure (timed and counted as a move); any other reparent (rebalancing) is only counted.
   */
  boolean reparented(String oldParent, long now) {
    Long at = oldParent == null ? null : departedAt.get(oldParent);
    if (at == null) {
      otherReparents.increment();
      return false;
    }
    latency.recordValue(Math.max(0, now - at));
    moves.increment();
    return true;
  }

  int departures() {
    return departedAt.size();
  }

  long moves() {
    return moves.sum();
  }

  long otherReparents() {
    return otherReparents.sum();
  }

  /** Repair latencies in nanoseconds, everything recorded so far; call once, after the churn settled. */
  synchronized Histogram latencies() {
    if (frozen == null) {
      frozen = latency.getIntervalHistogram();
    }
    return frozen;
  }
}

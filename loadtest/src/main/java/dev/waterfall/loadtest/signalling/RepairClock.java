package dev.waterfall.loadtest.signalling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
  /** Every reparent as it came, so that client processes' clocks can be replayed as one (see {@link #replay}). */
  private final Queue<Reparent> log = new ConcurrentLinkedQueue<>();
  private Histogram frozen;

  /** A {@code reparent} received at {@code nanos} by a node whose parent had been {@code oldParent}. */
  record Reparent(String oldParent, long nanos) {}

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
    log.add(new Reparent(oldParent, now));
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

  /** Departed node id → nanoTime of its departure, as recorded so far. */
  Map<String, Long> departuresAt() {
    return Map.copyOf(departedAt);
  }

  /** The reparents recorded so far, in arrival order. */
  List<Reparent> reparents() {
    return List.copyOf(log);
  }

  /**
   * One clock from the departures and reparents of several processes (one nanoTime clock on one machine): the
   * reparents in time order, each a move when its old parent had departed by then, as if one process had seen
   * everything. A child's parent may live in another process, so no single process can tell a move alone.
   */
  static RepairClock replay(Map<String, Long> departures, List<Reparent> reparents) {
    RepairClock out = new RepairClock();
    out.departedAt.putAll(departures);
    List<Reparent> sorted = new ArrayList<>(reparents);
    sorted.sort(Comparator.comparingLong(Reparent::nanos));
    for (Reparent r : sorted) {
      Long at = r.oldParent() == null ? null : departures.get(r.oldParent());
      if (at != null && at > r.nanos()) {
        out.log.add(r);
        out.otherReparents.increment(); // its parent departed only later: not this departure's repair
      } else {
        out.reparented(r.oldParent(), r.nanos());
      }
    }
    return out;
  }
}

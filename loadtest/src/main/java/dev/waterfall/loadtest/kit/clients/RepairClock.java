package dev.waterfall.loadtest.kit.clients;

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
 * Repair latency under churn: from a node's departure being sent (a {@code leave}, or just closing
 * its socket) to each of its children receiving the {@code reparent} that moves it. Children know
 * their parent from {@code welcome} and earlier {@code reparent}s, so the reparent of a child whose
 * old parent departed is a move caused by that departure. A reparent whose old parent stayed but
 * whose new parent is the parent of a node that departed is the leaf that {@code leaf-swap} moves
 * into the departed node's place: timed separately, from the latest such departure (within {@link
 * #LEAF_WINDOW_NANOS}, as relay-tree does). Written from several event loops.
 */
public final class RepairClock {
  /**
   * A reparent to a departed node's parent this long after the departure is no longer taken for its
   * leaf.
   */
  public static final long LEAF_WINDOW_NANOS = 10_000_000_000L;

  /** Departed node id → nanoTime its departure was sent. */
  private final Map<String, Long> departedAt = new ConcurrentHashMap<>();

  /** Parent of a departed node → nanoTime of the latest departure among its children. */
  private final Map<String, Long> childDepartedAt = new ConcurrentHashMap<>();

  private final Recorder latency = new Recorder(3);
  private final Recorder leafLatency = new Recorder(3);
  private final LongAdder moves = new LongAdder();
  private final LongAdder leafMoves = new LongAdder();
  private final LongAdder otherReparents = new LongAdder();

  /**
   * Every event as it came, so that client processes' clocks can be replayed as one (see {@link
   * #replay}).
   */
  private final Queue<Departure> departures = new ConcurrentLinkedQueue<>();

  private final Queue<Reparent> log = new ConcurrentLinkedQueue<>();
  private Histogram frozen;
  private Histogram leafFrozen;

  /**
   * A {@code reparent} received at {@code nanos} by a node whose parent had been {@code oldParent}.
   */
  public record Reparent(String oldParent, String newParent, long nanos) {
    Reparent(String oldParent, long nanos) {
      this(oldParent, null, nanos);
    }
  }

  /** Node {@code nodeId}, a child of {@code parent}, departed at {@code nanos}. */
  public record Departure(String nodeId, String parent, long nanos) {}

  public void departed(String nodeId, long nanos) {
    departed(nodeId, null, nanos);
  }

  public void departed(String nodeId, String parent, long nanos) {
    if (nodeId != null) {
      departures.add(new Departure(nodeId, parent, nanos));
      departedAt.put(nodeId, nanos);
      if (parent != null) {
        childDepartedAt.merge(parent, nanos, Math::max);
      }
    }
  }

  public boolean reparented(String oldParent, long now) {
    return reparented(oldParent, null, now);
  }

  /**
   * A node whose parent was {@code oldParent} got a {@code reparent} to {@code newParent} at {@code
   * now}. Returns whether it was a repair of a departure (timed and counted as a move); any other
   * reparent is counted as such, and timed as a leaf move when {@code newParent} just lost a child.
   */
  public boolean reparented(String oldParent, String newParent, long now) {
    log.add(new Reparent(oldParent, newParent, now));
    Long at = oldParent == null ? null : departedAt.get(oldParent);
    if (at == null) {
      otherReparents.increment();
      Long child = newParent == null ? null : childDepartedAt.get(newParent);
      if (child != null && now - child <= LEAF_WINDOW_NANOS) {
        leafLatency.recordValue(Math.max(0, now - child));
        leafMoves.increment();
      }
      return false;
    }
    latency.recordValue(Math.max(0, now - at));
    moves.increment();
    return true;
  }

  public int departures() {
    return departedAt.size();
  }

  public long moves() {
    return moves.sum();
  }

  public long otherReparents() {
    return otherReparents.sum();
  }

  /** Of the other reparents, those to the parent of a departed node (leaf-swap's leaf), timed. */
  public long leafMoves() {
    return leafMoves.sum();
  }

  /**
   * Repair latencies in nanoseconds, everything recorded so far; call once, after the churn
   * settled.
   */
  public synchronized Histogram latencies() {
    if (frozen == null) {
      frozen = latency.getIntervalHistogram();
    }
    return frozen;
  }

  /**
   * Departure → the leaf's reparent into the departed node's place, nanoseconds; call after the
   * churn settled.
   */
  public synchronized Histogram leafLatencies() {
    if (leafFrozen == null) {
      leafFrozen = leafLatency.getIntervalHistogram();
    }
    return leafFrozen;
  }

  /** The departures recorded so far, in order. */
  public List<Departure> departureLog() {
    return List.copyOf(departures);
  }

  /** The reparents recorded so far, in arrival order. */
  public List<Reparent> reparents() {
    return List.copyOf(log);
  }

  /**
   * One clock from the departures and reparents of several processes (one nanoTime clock on one
   * machine), replayed in time order as if one process had seen everything. A child's parent may
   * live in another process, so no single process can tell a move alone.
   */
  public static RepairClock replay(List<Departure> departures, List<Reparent> reparents) {
    record Event(long nanos, Departure departure, Reparent reparent) {}
    List<Event> events = new ArrayList<>();
    departures.forEach(d -> events.add(new Event(d.nanos(), d, null)));
    reparents.forEach(r -> events.add(new Event(r.nanos(), null, r)));
    // At equal times the departure first, as it happened first in the one process that saw both.
    events.sort(Comparator.comparingLong(Event::nanos).thenComparing(e -> e.departure() == null));
    RepairClock out = new RepairClock();
    for (Event e : events) {
      if (e.departure() != null) {
        out.departed(e.departure().nodeId(), e.departure().parent(), e.nanos());
      } else {
        out.reparented(e.reparent().oldParent(), e.reparent().newParent(), e.nanos());
      }
    }
    return out;
  }
}

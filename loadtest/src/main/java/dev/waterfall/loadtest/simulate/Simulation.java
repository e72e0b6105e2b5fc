package dev.waterfall.loadtest.simulate;

import dev.waterfall.tree.JoinResult;
import dev.waterfall.tree.Move;
import dev.waterfall.tree.NoOpenSlotException;
import dev.waterfall.tree.NodeSpec;
import dev.waterfall.tree.RepairStrategies;
import dev.waterfall.tree.RepairStrategy;
import dev.waterfall.tree.StreamTree;
import dev.waterfall.tree.TreeNode;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * A discrete-event simulation of one stream's audience driving the real {@link StreamTree} (the
 * coordinator's model, not a copy): Poisson arrivals, session lengths from {@link Sessions}, slots
 * from {@link UplinkMix}. Events run in time order (departures at equal times in scheduling order),
 * all randomness comes from one seeded generator, so a seed gives the same run every time. A viewer
 * the tree evicts (no slot left after a repair) joins again at once; a viewer no slot is found for
 * watches over HTTP from the origin until it leaves (or, when uplinks are measured, until a slot
 * opens: its page asks again).
 *
 * <p>Issue 17's newcomers and withholders: with {@link SimConfig#measures()} a viewer that uploads
 * joins with {@code newcomerSlots}, and {@code measureSeconds} after its first child its slots are
 * set from its uplink ({@link StreamTree#setCapacity}); a withholder then claims maxChildren.
 * Measurements and starving reports ({@link Withholding}) are events in the same queue as
 * departures.
 */
public final class Simulation {
  private static final double SAMPLE_EVERY_SECONDS = 60;

  private final SimConfig config;
  private final SimConfig.Catching catching;
  private final SplittableRandom random;
  private final StreamTree tree;
  private final RepairStrategy strategy;
  private final EventQueue queue = new EventQueue();
  private final BitSet onHttp = new BitSet();
  private final BitSet noUpload = new BitSet();

  /** Viewers whose uplink measurement is scheduled, or done. */
  private final BitSet measureScheduled = new BitSet();

  private final BitSet measured = new BitSet();
  private final Withholding withholding;
  private final Histogram movesPerRepair = new Histogram(3);
  private final Histogram movesPerJoin = new Histogram(3);
  private byte[] slots = new byte[1024];
  private int arrived;
  private long joins;
  private long departed;
  private long repairs;
  private long steadyRepairs;
  private long moves;

  /** Of {@link #moves}: nodes a joiner displaced (the capacity swap), and new edges of repairs. */
  private long joinMoves;

  private long repairMoves;
  private long joinsThatMoved;

  /**
   * New edges made by starving reports (and demotions), and by capacity changes after a
   * measurement.
   */
  private long reportMoves;

  private long capacityMoves;
  private long steadyJoinMoves;
  private long evictions;
  private long refused;
  private int httpViewers;
  private int maxDepth;
  private int worstOriginCopies;
  private long events;
  private double now;

  /**
   * Integrals over simulated time: origin copies, honest viewers watching, honest ones healing
   * under a withholder.
   */
  private double copySeconds;

  private double honestSeconds;
  private double starvedSeconds;

  /** Origin copies healed under weak lines, integrated over simulated time. */
  private double weakCopySeconds;

  /** {@link #originCopies()} after the last event (it holds until the next). */
  private double copiesNow;

  private double peakOriginCopies;

  /**
   * Set once the ramp is over: steady-phase rates (repairs and join moves per minute) count from
   * then.
   */
  private boolean steady;

  public Simulation(SimConfig config) {
    this.config = config;
    this.catching = config.catching();
    this.random = new SplittableRandom(config.seed());
    this.strategy = RepairStrategies.byName(config.repairStrategy());
    this.tree = new StreamTree("sim", "origin", config.maxChildren(), config.bitrateKbps(), 0);
    this.withholding =
        new Withholding(
            tree,
            queue,
            catching.withholders(),
            catching.reportSeconds(),
            catching.demoteWindowSeconds(),
            catching.trust());
  }

  /**
   * Runs to the end of simulated time, or until {@code stop} says so (checked every few thousand
   * events).
   *
   * @param onEvent called once per event (progress)
   */
  public SimResult run(Runnable onEvent, BooleanSupplier stop) {
    long wallStart = System.nanoTime();
    for (int b = 0; b < config.boosters(); b++) {
      tree.join(NodeSpec.booster("b" + b, config.maxChildren(), 0));
    }
    double rampRate = config.viewers() / config.rampSeconds();
    double steadyRate = config.viewers() / config.meanSessionSeconds();
    double nextArrival = exponential(rampRate);
    double steadyStart = Double.NaN;
    double nextSample = SAMPLE_EVERY_SECONDS;
    boolean completed = true;
    copiesNow = originCopies();
    peakOriginCopies = copiesNow;
    while (true) {
      if ((events & 4095) == 0 && stop.getAsBoolean()) {
        completed = false;
        break;
      }
      boolean ramping = arrived < config.viewers();
      if (!ramping && Double.isNaN(steadyStart)) {
        steadyStart = now;
        steady = true;
        nextArrival = now + exponential(steadyRate);
      }
      double end =
          Double.isNaN(steadyStart)
              ? Double.POSITIVE_INFINITY
              : steadyStart + config.steadySeconds();
      double nextEvent = queue.isEmpty() ? Double.POSITIVE_INFINITY : queue.peekTime();
      double next = Math.min(nextArrival, nextEvent);
      while (nextSample <= Math.min(next, end)) {
        sample();
        nextSample += SAMPLE_EVERY_SECONDS;
      }
      if (next > end) {
        advanceTo(end);
        break;
      }
      advanceTo(next);
      events++;
      if (nextArrival <= nextEvent) {
        arrive();
        nextArrival = now + exponential(arrived < config.viewers() ? rampRate : steadyRate);
      } else {
        dispatch(queue.poll());
      }
      if (catching.measures() && httpViewers > 0 && tree.shallowestOpenDepth() >= 0) {
        admitWaiting();
      }
      maxDepth = Math.max(maxDepth, tree.maxDepth());
      copiesNow = originCopies();
      peakOriginCopies = Math.max(peakOriginCopies, copiesNow);
      onEvent.run();
    }
    sample();
    double steadyMinutes = Double.isNaN(steadyStart) ? 0 : (now - steadyStart) / 60;
    return new SimResult(
        config.viewers(),
        joins,
        departed,
        repairs,
        steadyMinutes > 0 ? steadyRepairs / steadyMinutes : Double.NaN,
        new long[] {
          movesPerRepair.getValueAtPercentile(50),
          movesPerRepair.getValueAtPercentile(99),
          movesPerRepair.getMaxValue()
        },
        new double[] {
          movesPerJoin.getMean(), movesPerJoin.getValueAtPercentile(99), movesPerJoin.getMaxValue()
        },
        moves,
        joinMoves,
        repairMoves,
        reportMoves,
        capacityMoves,
        joinsThatMoved,
        steadyMinutes > 0 ? steadyJoinMoves / steadyMinutes : Double.NaN,
        evictions,
        refused,
        tree.depthHistogram(),
        maxDepth,
        StreamTree.depthBound(tree.size()),
        originChildren(),
        worstOriginCopies,
        now > 0 ? copySeconds / now : copiesNow,
        (int) Math.ceil(peakOriginCopies),
        httpViewers,
        tree.size() - 1 + httpViewers,
        now,
        (System.nanoTime() - wallStart) / 1e9,
        events,
        completed,
        withholding.finish(
            now,
            honestSeconds > 0 ? starvedSeconds / honestSeconds : 0,
            honestSeconds > 0 ? weakCopySeconds / honestSeconds : 0));
  }

  /** Moves the clock, adding up what the state between two events cost. */
  private void advanceTo(double time) {
    double dt = time - now;
    copySeconds += dt * copiesNow;
    honestSeconds += dt * (arrived - departed - withholding.watching());
    starvedSeconds += dt * withholding.starvedNow();
    weakCopySeconds += dt * withholding.weakCopies();
    now = time;
  }

  private void dispatch(int event) {
    int viewer = EventQueue.viewer(event);
    switch (EventQueue.kind(event)) {
      case EventQueue.DEPART -> depart(viewer, steady);
      case EventQueue.MEASURE -> measure(viewer);
      case EventQueue.EARN -> reportMoves += apply(withholding.earn(viewer, capacity(viewer), now));
      default -> {
        reportMoves += apply(withholding.report(viewer, now));
        withholding.reported(viewer, now);
      }
    }
  }

  private void arrive() {
    int viewer = arrived++;
    if (viewer == slots.length) {
      slots = Arrays.copyOf(slots, slots.length * 2);
    }
    UplinkMix.Uplink uplink =
        config.uplinks().draw(random, config.maxChildren(), config.bitrateKbps());
    slots[viewer] = (byte) uplink.slots();
    if (!uplink.uploads()) {
      noUpload.set(viewer);
    }
    queue.add(now + config.sessions().draw(random, config.meanSessionSeconds()), viewer);
    // no draw without withholders: the same seed gives the same run as before
    if (withholding.active()) {
      boolean withholds = random.nextDouble() < withholding.share();
      boolean weakLine =
          withholding.weakLines() > 0
              && uplink.uploads()
              && random.nextDouble() < withholding.weakLines();
      withholding.arrived(viewer, withholds, weakLine);
    }
    join(viewer);
  }

  private void join(int viewer) {
    try {
      JoinResult joined = tree.join(NodeSpec.viewer(id(viewer), capacity(viewer), millis()));
      joins++;
      placed(viewer, joined.parent(), null);
      movesPerJoin.recordValue(joined.moves().size());
      long moved = apply(joined.moves());
      joinMoves += moved;
      if (moved > 0) {
        joinsThatMoved++;
        if (steady) {
          steadyJoinMoves += moved;
        }
      }
    } catch (NoOpenSlotException e) {
      refused++;
      onHttp.set(viewer);
      httpViewers++;
    }
  }

  private void depart(int viewer, boolean steady) {
    departed++;
    withholding.left(viewer);
    if (onHttp.get(viewer)) {
      onHttp.clear(viewer);
      httpViewers--;
      return;
    }
    String id = id(viewer);
    TreeNode node = tree.node(id);
    boolean hadChildren = !node.childIds().isEmpty();
    List<Move> repair = tree.remove(id, strategy);
    withholding.removed(viewer, index(node.parentId()), now);
    if (hadChildren) {
      repairs++;
      if (steady) {
        steadyRepairs++;
      }
      movesPerRepair.recordValue(repair.size());
    }
    repairMoves += apply(repair);
  }

  /**
   * Slots a viewer asks for: its uplink's, or a newcomer's until measured; a withholder claims the
   * most it can.
   */
  private int capacity(int viewer) {
    boolean known = !catching.measures() || measured.get(viewer);
    if (withholding.isWithholder(viewer)) {
      return known
          ? config.maxChildren()
          : Math.min(catching.newcomerSlots(), config.maxChildren());
    }
    if (known) {
      return slots[viewer];
    }
    return noUpload.get(viewer) ? 0 : Math.min(catching.newcomerSlots(), config.maxChildren());
  }

  /**
   * Its heartbeats now carry a measured uplink (a withholder's a made-up one): the tree re-sizes
   * its slots.
   */
  private void measure(int viewer) {
    measured.set(viewer);
    String id = id(viewer);
    // not if it left, or waits on HTTP after an eviction (ids are never reused)
    if (tree.contains(id)) {
      capacityMoves += apply(tree.setCapacity(id, capacity(viewer)));
    }
  }

  /** Viewers waiting on HTTP join again while the tree has a free slot, oldest first. */
  private void admitWaiting() {
    for (int v = onHttp.nextSetBit(0);
        v >= 0 && tree.shallowestOpenDepth() >= 0;
        v = onHttp.nextSetBit(v + 1)) {
      onHttp.clear(v);
      httpViewers--;
      join(v); // it stays on HTTP if refused after all
    }
  }

  /**
   * A new edge: a viewer's first child starts its measurement; a child under a withholder starts
   * starving.
   */
  private void placed(int child, String parentId, String oldParentId) {
    if (!catching.measures() && !withholding.active()) {
      return;
    }
    int parent = index(parentId);
    if (catching.measures() && parent >= 0 && !measureScheduled.get(parent)) {
      measureScheduled.set(parent);
      queue.add(now + catching.measureSeconds(), EventQueue.event(EventQueue.MEASURE, parent));
    }
    withholding.placed(child, parent, index(oldParentId), now);
  }

  /**
   * Counts new edges and returns how many; an evicted viewer joins again at once (it would fall
   * back to HTTP while it does; the moves of that join count as join moves).
   */
  private long apply(List<Move> changes) {
    long counted = 0;
    for (Move move : changes) {
      if (move.isEviction()) {
        evictions++;
        withholding.removed(index(move.nodeId()), index(move.oldParent()), now);
        if (move.nodeId().startsWith("v")) {
          join(Integer.parseInt(move.nodeId().substring(1)));
        } else {
          tree.join(NodeSpec.booster(move.nodeId(), config.maxChildren(), millis()));
        }
      } else {
        moves++;
        counted++;
        placed(index(move.nodeId()), move.newParent(), move.oldParent());
      }
    }
    return counted;
  }

  private void sample() {
    worstOriginCopies = Math.max(worstOriginCopies, originChildren() + httpViewers);
  }

  /**
   * Origin egress now, in copies: its children, viewers on HTTP, honest children healing under a
   * withholder.
   */
  private double originCopies() {
    return originChildren() + httpViewers + withholding.starvedNow() + withholding.weakCopies();
  }

  private int originChildren() {
    return tree.node(tree.rootId()).childIds().size();
  }

  private double exponential(double rate) {
    return -Math.log(1 - random.nextDouble()) / rate;
  }

  private long millis() {
    return Math.round(now * 1000);
  }

  static String id(int viewer) {
    return "v" + viewer;
  }

  /** The viewer index of a node id; −1 for the origin, a booster, or none. */
  private static int index(String id) {
    return id != null && id.startsWith("v") ? Integer.parseInt(id, 1, id.length(), 10) : -1;
  }

  /** The tree as the run left it (for tests). */
  StreamTree tree() {
    return tree;
  }

  /** Who withholds (for tests). */
  Withholding withholding() {
    return withholding;
  }
}

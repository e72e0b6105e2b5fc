package dev.waterfall.loadtest.simulate;

import dev.waterfall.tree.JoinResult;
import dev.waterfall.tree.Move;
import dev.waterfall.tree.NoOpenSlotException;
import dev.waterfall.tree.NodeSpec;
import dev.waterfall.tree.RepairStrategies;
import dev.waterfall.tree.RepairStrategy;
import dev.waterfall.tree.StreamTree;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * A discrete-event simulation of one stream's audience driving the real {@link StreamTree} (the coordinator's
 * model, not a copy): Poisson arrivals, session lengths from {@link Sessions}, slots from {@link UplinkMix}.
 * Events run in time order (departures at equal times in scheduling order), all randomness comes from one
 * seeded generator, so a seed gives the same run every time. A viewer the tree evicts (no slot left after a
 * repair) joins again at once; a viewer no slot is found for watches over HTTP from the origin until it leaves.
 */
public final class Simulation {
  private static final double SAMPLE_EVERY_SECONDS = 60;

  private final SimConfig config;
  private final SplittableRandom random;
  private final StreamTree tree;
  private final RepairStrategy strategy;
  private final EventQueue queue = new EventQueue();
  private final BitSet onHttp = new BitSet();
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
  private long steadyJoinMoves;
  private long evictions;
  private long refused;
  private int httpViewers;
  private int maxDepth;
  private int worstOriginCopies;
  private long events;
  private double now;
  /** Set once the ramp is over: steady-phase rates (repairs and join moves per minute) count from then. */
  private boolean steady;

  public Simulation(SimConfig config) {
    this.config = config;
    this.random = new SplittableRandom(config.seed());
    this.strategy = RepairStrategies.byName(config.repairStrategy());
    this.tree = new StreamTree("sim", "origin", config.maxChildren(), config.bitrateKbps(), 0);
  }

  /**
   * Runs to the end of simulated time, or until {@code stop} says so (checked every few thousand events).
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
      double end = Double.isNaN(steadyStart) ? Double.POSITIVE_INFINITY : steadyStart + config.steadySeconds();
      double nextDeparture = queue.isEmpty() ? Double.POSITIVE_INFINITY : queue.peekTime();
      double next = Math.min(nextArrival, nextDeparture);
      while (nextSample <= Math.min(next, end)) {
        sample();
        nextSample += SAMPLE_EVERY_SECONDS;
      }
      if (next > end) {
        now = end;
        break;
      }
      now = next;
      events++;
      if (nextArrival <= nextDeparture) {
        arrive();
        nextArrival = now + exponential(arrived < config.viewers() ? rampRate : steadyRate);
      } else {
        depart(queue.poll(), !Double.isNaN(steadyStart));
      }
      maxDepth = Math.max(maxDepth, tree.maxDepth());
      onEvent.run();
    }
    sample();
    double steadyMinutes = Double.isNaN(steadyStart) ? 0 : (now - steadyStart) / 60;
    return new SimResult(config.viewers(), joins, departed, repairs,
        steadyMinutes > 0 ? steadyRepairs / steadyMinutes : Double.NaN,
        new long[] {movesPerRepair.getValueAtPercentile(50), movesPerRepair.getValueAtPercentile(99),
            movesPerRepair.getMaxValue()},
        new double[] {movesPerJoin.getMean(), movesPerJoin.getValueAtPercentile(99), movesPerJoin.getMaxValue()},
        moves, joinMoves, repairMoves, joinsThatMoved,
        steadyMinutes > 0 ? steadyJoinMoves / steadyMinutes : Double.NaN, evictions, refused, tree.depthHistogram(), maxDepth, StreamTree.depthBound(tree.size()),
        originChildren(), worstOriginCopies, httpViewers, tree.size() - 1 + httpViewers, now,
        (System.nanoTime() - wallStart) / 1e9, events, completed);
  }

  private void arrive() {
    int viewer = arrived++;
    if (viewer == slots.length) {
      slots = Arrays.copyOf(slots, slots.length * 2);
    }
    slots[viewer] = (byte) config.uplinks().drawSlots(random, config.maxChildren(), config.bitrateKbps());
    queue.add(now + config.sessions().draw(random, config.meanSessionSeconds()), viewer);
    join(viewer);
  }

  private void join(int viewer) {
    try {
      JoinResult joined = tree.join(NodeSpec.viewer(id(viewer), slots[viewer], millis()));
      joins++;
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
    if (onHttp.get(viewer)) {
      onHttp.clear(viewer);
      httpViewers--;
      return;
    }
    String id = id(viewer);
    boolean hadChildren = !tree.node(id).childIds().isEmpty();
    List<Move> repair = tree.remove(id, strategy);
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
   * Counts new edges and returns how many; an evicted viewer joins again at once (it would fall back to HTTP
   * while it does; the moves of that join count as join moves).
   */
  private long apply(List<Move> changes) {
    long counted = 0;
    for (Move move : changes) {
      if (move.isEviction()) {
        evictions++;
        if (move.nodeId().startsWith("v")) {
          join(Integer.parseInt(move.nodeId().substring(1)));
        } else {
          tree.join(NodeSpec.booster(move.nodeId(), config.maxChildren(), millis()));
        }
      } else {
        moves++;
        counted++;
      }
    }
    return counted;
  }

  private void sample() {
    worstOriginCopies = Math.max(worstOriginCopies, originChildren() + httpViewers);
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

  private static String id(int viewer) {
    return "v" + viewer;
  }

  /** The tree as the run left it (for tests). */
  StreamTree tree() {
    return tree;
  }
}

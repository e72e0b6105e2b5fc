package dev.waterfall.loadtest.simulate;

import dev.waterfall.tree.Move;
import dev.waterfall.tree.StreamTree;
import dev.waterfall.tree.TrustRule;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The withholders of one simulated audience and how the tree catches them. A withholder takes
 * children and forwards them nothing: each honest child directly under it heals every segment over
 * HTTP from the origin (one copy each; its own children it feeds as usual) and, after a whole
 * report window of that, reports its parent {@code starving} through the real {@link
 * StreamTree#reportStarving}, which moves it away and, at a second child's report within the demote
 * window, demotes the withholder to a leaf. Withholders never report each other (one party). Weak
 * lines ({@link SimTrust}) are honest parents whose children get only part of the stream and report
 * it with that share; the tree's rule should cost them slots, never a demotion. A reported parent
 * earns its slots back in EARN events at {@link StreamTree#nextEarnAt}. Viewers are indices, as in
 * {@link Simulation}; the simulation tells this class about every new edge.
 */
final class Withholding {
  private final StreamTree tree;
  private final EventQueue queue;
  private final double share;
  private final double reportSeconds;

  /** What {@link StreamTree#reportStarving} takes; a window of −1 never demotes. */
  private final TrustRule rule;

  private final SimTrust trust;
  private final BitSet withholders = new BitSet();
  private final BitSet weak = new BitSet();

  /** Per viewer: when its pending EARN event is due, or NaN. */
  private double[] earnDue = new double[0];

  private int weakNow;
  private long weakDemotions;

  /**
   * Per honest viewer: the withholder starving it, or −1; and when its report is due (its window's
   * end).
   */
  private int[] starvedBy = new int[0];

  private double[] reportDue = new double[0];

  /** Per withholder: since when it holds at least one child, or NaN. */
  private double[] holdingSince = new double[0];

  private final BitSet everHeld = new BitSet();
  private int starvedNow;
  private int watching;
  private long arrived;
  private long reports;
  private long demotions;
  private double holdingSeconds;

  Withholding(
      StreamTree tree,
      EventQueue queue,
      double share,
      double reportSeconds,
      double demoteWindowSeconds,
      SimTrust trust) {
    this.tree = tree;
    this.queue = queue;
    this.share = share;
    this.reportSeconds = reportSeconds;
    this.trust = trust;
    this.rule = trust.rule(demoteWindowSeconds == 0 ? -1 : Math.round(demoteWindowSeconds * 1000));
  }

  /**
   * False without withholders or weak lines: then every other method does nothing (and costs
   * nothing).
   */
  boolean active() {
    return share > 0 || trust.weakLines() > 0;
  }

  double weakLines() {
    return trust.weakLines();
  }

  double share() {
    return share;
  }

  void arrived(int viewer, boolean withholds, boolean weakLine) {
    if (viewer >= starvedBy.length) {
      int n = Math.max(1024, starvedBy.length * 2);
      int old = starvedBy.length;
      starvedBy = Arrays.copyOf(starvedBy, n);
      reportDue = Arrays.copyOf(reportDue, n);
      holdingSince = Arrays.copyOf(holdingSince, n);
      earnDue = Arrays.copyOf(earnDue, n);
      Arrays.fill(starvedBy, old, n, -1);
      Arrays.fill(holdingSince, old, n, Double.NaN);
      Arrays.fill(earnDue, old, n, Double.NaN);
    }
    if (weakLine && !withholds) {
      weak.set(viewer);
    }
    if (withholds) {
      withholders.set(viewer);
      arrived++;
      watching++;
    }
  }

  boolean isWithholder(int viewer) {
    return viewer >= 0 && withholders.get(viewer);
  }

  boolean isWeak(int viewer) {
    return viewer >= 0 && weak.get(viewer);
  }

  /**
   * {@code child} now hangs under {@code parent} (viewer indices; −1 for the origin, a booster, or
   * a node that had no parent). Under a withholder an honest child starts a fresh window; anywhere
   * else it is fed.
   */
  void placed(int child, int parent, int oldParent, double now) {
    if (!active()) {
      return;
    }
    refreshHolding(oldParent, now);
    refreshHolding(parent, now);
    if (child < 0 || isWithholder(child)) {
      return;
    }
    if (isWithholder(parent) || isWeak(parent)) {
      fed(child);
      if (isWithholder(parent)) {
        starvedNow++;
      } else {
        weakNow++;
      }
      starvedBy[child] = parent;
      reportDue[child] = now + reportSeconds;
      queue.add(reportDue[child], EventQueue.event(EventQueue.REPORT, child));
    } else {
      fed(child);
    }
  }

  /** {@code viewer} is out of the tree (it left, or was evicted); {@code parent} was its parent. */
  void removed(int viewer, int parent, double now) {
    if (!active()) {
      return;
    }
    fed(viewer);
    refreshHolding(viewer, now);
    refreshHolding(parent, now);
  }

  /** {@code viewer} stopped watching (after {@link #removed}, if it was in the tree). */
  void left(int viewer) {
    if (isWithholder(viewer)) {
      watching--;
    }
  }

  /**
   * A REPORT event came due: if the child is still starved by the same withholder since its window
   * began (it may have moved or left meanwhile, and a move to another withholder began a new
   * window), it reports.
   *
   * @return the tree's moves, for the simulation to apply; then call {@link #reported}
   */
  List<Move> report(int child, double now) {
    int parent = starvedBy[child];
    if (parent < 0 || reportDue[child] != now) {
      return List.of();
    }
    String parentId = Simulation.id(parent);
    boolean wasDemoted = tree.isDemoted(parentId);
    reports++;
    double delivered = isWithholder(parent) ? 0 : trust.weakDelivery();
    List<Move> moves =
        tree.reportStarving(
            Simulation.id(child), parentId, delivered, Math.round(now * 1000), rule);
    if (!wasDemoted && tree.isDemoted(parentId)) {
      demotions++;
      if (isWeak(parent)) {
        weakDemotions++;
      }
    }
    scheduleEarn(parent, now);
    return moves;
  }

  /**
   * An EARN event came due: the viewer's heartbeat lets the tree give back what a quiet period
   * earned ({@code slots}: what it asks for).
   *
   * @return the tree's moves, for the simulation to apply
   */
  List<Move> earn(int viewer, int slots, double now) {
    if (earnDue[viewer] != now) {
      return List.of(); // stale: a later report moved it
    }
    earnDue[viewer] = Double.NaN;
    String id = Simulation.id(viewer);
    if (!tree.contains(id)) {
      return List.of();
    }
    List<Move> moves = tree.setCapacity(id, slots, Math.round(now * 1000), rule);
    scheduleEarn(viewer, now);
    return moves;
  }

  private void scheduleEarn(int viewer, double now) {
    String id = Simulation.id(viewer);
    if (!tree.contains(id)) {
      return;
    }
    long at = tree.nextEarnAt(id, rule);
    if (at == Long.MAX_VALUE) {
      return;
    }
    double due = Math.max(now, at / 1000.0);
    if (!Double.isNaN(earnDue[viewer]) && earnDue[viewer] <= due) {
      return;
    }
    earnDue[viewer] = due;
    queue.add(due, EventQueue.event(EventQueue.EARN, viewer));
  }

  /**
   * After a report's moves: a child the tree found no other place for reports again a window later.
   */
  void reported(int child, double now) {
    if (starvedBy[child] >= 0 && reportDue[child] == now) {
      reportDue[child] = now + reportSeconds;
      queue.add(reportDue[child], EventQueue.event(EventQueue.REPORT, child));
    }
  }

  /** Honest viewers that heal every segment over HTTP right now, because their parent withholds. */
  int starvedNow() {
    return starvedNow;
  }

  /** Viewers under a weak line right now (each heals the part it does not deliver). */
  int weakNow() {
    return weakNow;
  }

  /** Origin copies the weak lines' children heal over HTTP right now. */
  double weakCopies() {
    return weakNow * (1 - trust.weakDelivery());
  }

  long weakDemotions() {
    return weakDemotions;
  }

  /** Withholders watching right now. */
  int watching() {
    return watching;
  }

  /** Closes the holding times still open at the end of the run. */
  WithholdingResult finish(double now, double honestHttpShare, double weakHttpShare) {
    long inTree = 0;
    long demoted = 0;
    long holding = 0;
    for (int w = withholders.nextSetBit(0); w >= 0; w = withholders.nextSetBit(w + 1)) {
      if (!Double.isNaN(holdingSince[w])) {
        holdingSeconds += now - holdingSince[w];
        holdingSince[w] = Double.NaN;
        holding++;
      }
      String id = Simulation.id(w);
      if (tree.contains(id)) {
        inTree++;
        demoted += tree.isDemoted(id) ? 1 : 0;
      }
    }
    int held = everHeld.cardinality();
    return new WithholdingResult(
        arrived,
        honestHttpShare,
        reports,
        demotions,
        inTree,
        demoted,
        holding,
        held,
        held == 0 ? 0 : holdingSeconds / held,
        weak.cardinality(),
        weakHttpShare,
        weakDemotions);
  }

  private void fed(int viewer) {
    if (viewer >= 0 && starvedBy[viewer] >= 0) {
      if (isWithholder(starvedBy[viewer])) {
        starvedNow--;
      } else {
        weakNow--;
      }
      starvedBy[viewer] = -1;
    }
  }

  private void refreshHolding(int viewer, double now) {
    if (!isWithholder(viewer)) {
      return;
    }
    String id = Simulation.id(viewer);
    boolean holds = tree.contains(id) && !tree.node(id).childIds().isEmpty();
    boolean held = !Double.isNaN(holdingSince[viewer]);
    if (holds && !held) {
      holdingSince[viewer] = now;
      everHeld.set(viewer);
    } else if (!holds && held) {
      holdingSeconds += now - holdingSince[viewer];
      holdingSince[viewer] = Double.NaN;
    }
  }
}

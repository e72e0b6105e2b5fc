package dev.waterfall.loadtest.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.tree.Move;
import dev.waterfall.tree.NodeSpec;
import dev.waterfall.tree.StreamTree;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimulationTest {
  private static SimConfig config(int viewers, double noUpload, long seed) {
    return new SimConfig(
        viewers,
        60,
        600,
        300,
        Sessions.EXPONENTIAL,
        new UplinkMix(noUpload, List.of()),
        0,
        4,
        1500,
        "leaf-swap",
        seed);
  }

  private static SimResult run(SimConfig c) {
    return new Simulation(c).run(() -> {}, () -> false);
  }

  @Test
  void aSeedGivesTheSameRunEveryTime() {
    SimResult a = run(config(5_000, 0.2, 7));
    SimResult b = run(config(5_000, 0.2, 7));
    SimResult other = run(config(5_000, 0.2, 8));
    assertThat(b.joins()).isEqualTo(a.joins());
    assertThat(b.departures()).isEqualTo(a.departures());
    assertThat(b.repairs()).isEqualTo(a.repairs());
    assertThat(b.moves()).isEqualTo(a.moves());
    assertThat(b.depthHistogram()).containsExactly(a.depthHistogram());
    assertThat(other.joins() != a.joins() || other.moves() != a.moves()).isTrue();
  }

  @Test
  void allUploadersKeepOriginEgressAtFourCopiesAndTheDepthBound() {
    Simulation sim = new Simulation(config(20_000, 0, 3));
    SimResult r = sim.run(() -> {}, () -> false);
    assertThat(r.completed()).isTrue();
    // 10 min at a 5 min mean session: real churn happened
    assertThat(r.departures()).isGreaterThan(20_000);
    assertThat(r.repairs()).isPositive();
    assertThat(r.originChildren()).isEqualTo(4);
    assertThat(r.originEgressRatio()).isEqualTo(4.0);
    assertThat(r.httpFallbackAtEnd()).isZero();
    assertThat(r.offload()).isEqualTo(1 - 4.0 / r.population());
    assertThat(r.maxDepth()).isLessThanOrEqualTo(StreamTree.depthBound(r.population() + 1));
    sim.tree().validate();
    assertThat(sim.tree().size() - 1).isEqualTo(r.population());
  }

  @Test
  void viewersWhoCannotUploadEndUpAsLeavesOrOnHttp() {
    // Nobody can upload: the origin takes 4, everyone else pulls from the origin over HTTP.
    SimResult r = run(config(1_000, 1.0, 5));
    assertThat(r.originChildren()).isEqualTo(4);
    assertThat(r.refusedJoins()).isPositive();
    // every viewer costs the origin a copy
    assertThat(r.originEgressRatio()).isEqualTo(r.population());
    assertThat(r.offload()).isZero();
    assertThat(r.maxDepth()).isEqualTo(1);
  }

  @Test
  void reportsOneProgressStepPerEventAndStopsWhenAsked() {
    AtomicLong steps = new AtomicLong();
    SimResult full = new Simulation(config(2_000, 0.2, 1)).run(steps::incrementAndGet, () -> false);
    assertThat(steps.get())
        .isEqualTo(full.events())
        .isEqualTo(full.joins() + full.departures() - full.evictions());
    SimResult stopped = new Simulation(config(2_000, 0.2, 1)).run(() -> {}, () -> true);
    assertThat(stopped.completed()).isFalse();
    assertThat(stopped.events()).isZero();
  }

  @Test
  void badSettingsAreRefusedClearly() {
    assertThatThrownBy(() -> new UplinkMix(1.5, List.of())).hasMessageContaining("[0,1]");
    assertThatThrownBy(() -> new UplinkMix(0.2, List.of("fast")))
        .hasMessageContaining("KBPS[:WEIGHT]");
    assertThatThrownBy(() -> config(0, 0.2, 1)).hasMessageContaining("viewers >= 1");
    assertThatThrownBy(
            () ->
                new Simulation(
                    new SimConfig(
                        10,
                        60,
                        60,
                        60,
                        Sessions.EXPONENTIAL,
                        new UplinkMix(0, List.of()),
                        0,
                        4,
                        1500,
                        "nope",
                        1)))
        .hasMessageContaining("unknown repair strategy");
  }

  @Test
  void joinMovesAreCountedApartFromRepairMoves() {
    // 20% cannot upload: a 4-slot joiner takes the place of a non-uploader above the free slot (one
    // move).
    SimResult r = run(config(5_000, 0.2, 11));
    assertThat(r.joinMoves()).isPositive();
    assertThat(r.joinsThatMoved()).isPositive().isLessThanOrEqualTo(r.joinMoves());
    assertThat(r.repairMoves()).isPositive();
    assertThat(r.joinMoves() + r.repairMoves()).isEqualTo(r.moves());
    assertThat(r.joinMovesPerMinute()).isPositive();
    // Everyone uploads with the same slots: nobody is displaced by a joiner.
    SimResult even = run(config(5_000, 0, 11));
    assertThat(even.joinMoves()).isZero();
    assertThat(even.repairMoves()).isEqualTo(even.moves());
  }

  /**
   * The scenario's defaults at N = 1,000 and 10,000 (30 min sessions, 20 % who cannot upload, seed
   * 42).
   */
  private static SimConfig defaults(int viewers) {
    return new SimConfig(
        viewers,
        60,
        600,
        1800,
        Sessions.EXPONENTIAL,
        new UplinkMix(0.2, List.of()),
        0,
        4,
        1500,
        "leaf-swap",
        42);
  }

  /**
   * 20 % withholders among newcomers of one slot, measured 10 s after their first child, reports
   * after 10 s.
   */
  private static SimConfig withholding(int viewers, double demoteWindowSeconds) {
    return defaults(viewers).withWithholding(0.2, 1, 10, 10, demoteWindowSeconds);
  }

  @Test
  void withoutWithholdersTheRunIsTheOneBeforeWithholdingWasModelled() {
    // The figures docs/benchmarks.md quotes for these runs ("Join moves, apart from repairs").
    SimResult r = run(defaults(1_000));
    assertThat(new long[] {r.joins(), r.joinsThatMoved(), r.joinMoves(), r.repairMoves()})
        .containsExactly(1_328, 100, 100, 490);
    SimResult big = run(defaults(10_000));
    assertThat(new long[] {big.joins(), big.joinsThatMoved(), big.joinMoves(), big.repairMoves()})
        .containsExactly(13_361, 1_558, 1_558, 4_659);
    // The reporting timers change nothing while nobody withholds.
    SimResult timers = run(defaults(10_000).withWithholding(0, SimConfig.UPLINK_AT_JOIN, 3, 2, 0));
    assertThat(timers.events()).isEqualTo(big.events());
    assertThat(timers.moves()).isEqualTo(big.moves());
    assertThat(timers.depthHistogram()).containsExactly(big.depthHistogram());
    assertThat(big.reportMoves() + big.capacityMoves() + big.withholding().reports()).isZero();
    // With no withholder and no HTTP viewer, the origin sends one copy per child at every moment.
    assertThat(big.originCopiesPeak()).isEqualTo(4);
    assertThat(big.originCopiesMean()).isBetween(3.9, 4.0);
  }

  @Test
  void demotedWithholdersEndAsLeavesAndCostTheHonestViewersFarLessThanUndemoted() {
    Simulation demoting = new Simulation(withholding(2_000, 120));
    SimResult on = demoting.run(() -> {}, () -> false);
    Simulation keeping = new Simulation(withholding(2_000, 0));
    SimResult off = keeping.run(() -> {}, () -> false);
    WithholdingResult w = on.withholding();
    assertThat(w.withholders()).isBetween(300L, 500L);
    assertThat(w.reports()).isPositive();
    assertThat(w.demotions()).isPositive();
    assertThat(off.withholding().demotions()).isZero();
    demoting.tree().validate();
    // At the end a withholder feeds honest children only if it got them within the last report
    // window (a repair may hand a leaf that claims 4 slots a departed node's orphans). Without
    // demotion each report still costs it that slot, and it earns one back per quiet period: it
    // keeps getting a child now and then.
    assertThat(honestChildrenHeldByWithholders(demoting)).isLessThanOrEqualTo(w.inTreeAtEnd() / 50);
    assertThat(honestChildrenHeldByWithholders(keeping))
        .isGreaterThan(honestChildrenHeldByWithholders(demoting));
    assertThat(w.demotedAtEnd()).isGreaterThan(w.inTreeAtEnd() / 5);
    // Losing a slot per report already starves withholders of children (their quiet periods
    // double); demotion makes them leaves for ten minutes on top.
    assertThat(w.honestHttpShare()).isPositive().isLessThan(off.withholding().honestHttpShare());
    assertThat(on.originCopiesMean()).isLessThan(off.originCopiesMean());
    assertThat(on.moves())
        .isEqualTo(on.joinMoves() + on.repairMoves() + on.reportMoves() + on.capacityMoves());
    assertThat(on.reportMoves()).isPositive();
  }

  @Test
  void weakLinesLoseSlotsButAreNeverDemotedWhereTheOldRuleDemotedThem() {
    // 20 % of honest uploaders deliver 35 % to their children; 20 % of newcomers withhold.
    SimConfig base = defaults(2_000).withWithholding(0.2, 2, 10, 10, 120);
    SimResult now = run(base.withTrust(new SimTrust(0.2, 0.35, 0.1, 600, 30)));
    // The old rule: every report a strike, a demotion for good.
    SimResult old = run(base.withTrust(new SimTrust(0.2, 0.35, 1, 1e12, 30)));
    WithholdingResult w = now.withholding();
    assertThat(w.weakLines()).isBetween(200L, 400L);
    assertThat(old.withholding().weakDemotions()).as("the old rule brands weak lines").isPositive();
    assertThat(w.weakDemotions()).as("this rule never does").isZero();
    assertThat(w.demotions()).as("withholders are still demoted").isPositive();
    assertThat(w.honestHttpShare()).isLessThan(0.01);
  }

  /** Withholders in the tree, not demoted, with at least one honest child. */
  private static long honestChildrenHeldByWithholders(Simulation sim) {
    Withholding w = sim.withholding();
    return sim.tree().breadthFirst().stream()
        .filter(n -> w.isWithholder(index(n.id())) && !sim.tree().isDemoted(n.id()))
        .filter(
            n -> n.childIds().stream().anyMatch(c -> index(c) >= 0 && !w.isWithholder(index(c))))
        .count();
  }

  @Test
  void aChildThatMovedAwayBeforeItsWindowEndedDoesNotReport() {
    // origin (2 slots) ── v0 (withholds) ── v1;  origin ── v2 (honest, room for v1)
    StreamTree tree = new StreamTree("t", "origin", 2, 1500, 0);
    EventQueue queue = new EventQueue();
    Withholding withholding = new Withholding(tree, queue, 0.5, 10, 120, SimTrust.DEFAULT);
    for (int v = 0; v < 4; v++) {
      withholding.arrived(v, v == 0, false);
    }
    join(tree, withholding, 0, 0);
    join(tree, withholding, 2, 0);
    join(tree, withholding, 1, 0);
    assertThat(tree.node("v1").parentId()).isEqualTo("v0");
    assertThat(withholding.starvedNow()).isEqualTo(1);

    moved(withholding, tree.moveAway("v1", "v0"), 5); // e.g. its other report, bad data, came first
    assertThat(tree.node("v1").parentId()).isEqualTo("v2");
    assertThat(withholding.starvedNow()).isZero();
    assertThat(queue.peekTime()).isEqualTo(10.0);
    assertThat(withholding.report(EventQueue.viewer(queue.poll()), 10)).isEmpty();
    assertThat(withholding.finish(10, 0, 0).reports()).isZero();

    // The control: a child still under the withholder when its window ends reports it and moves
    // away.
    join(tree, withholding, 3, 12);
    assertThat(tree.node("v3").parentId()).isEqualTo("v0");
    assertThat(queue.peekTime()).isEqualTo(22.0);
    moved(withholding, withholding.report(EventQueue.viewer(queue.poll()), 22), 22);
    assertThat(withholding.finish(22, 0, 0).reports()).isEqualTo(1);
    assertThat(tree.node("v3").parentId()).isNotEqualTo("v0");
    assertThat(withholding.starvedNow()).isZero();
  }

  private static void join(StreamTree tree, Withholding withholding, int viewer, double now) {
    String parent = tree.join(NodeSpec.viewer("v" + viewer, 2, Math.round(now * 1000))).parent();
    withholding.placed(viewer, index(parent), -1, now);
  }

  private static void moved(Withholding withholding, List<Move> moves, double now) {
    assertThat(moves).isNotEmpty();
    for (Move m : moves) {
      withholding.placed(index(m.nodeId()), index(m.newParent()), index(m.oldParent()), now);
    }
  }

  private static int index(String id) {
    return id != null && id.startsWith("v") ? Integer.parseInt(id.substring(1)) : -1;
  }
}

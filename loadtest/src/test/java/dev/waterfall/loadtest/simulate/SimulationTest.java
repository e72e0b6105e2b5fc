package dev.waterfall.loadtest.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.tree.StreamTree;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimulationTest {
  private static SimConfig config(int viewers, double noUpload, long seed) {
    return new SimConfig(viewers, 60, 600, 300, Sessions.EXPONENTIAL, new UplinkMix(noUpload, List.of()), 0, 4, 1500,
        "leaf-swap", seed);
  }

  private static SimResult run(SimConfig c) {
    return new Simulation(c).run(() -> { }, () -> false);
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
    SimResult r = sim.run(() -> { }, () -> false);
    assertThat(r.completed()).isTrue();
    assertThat(r.departures()).isGreaterThan(20_000); // 10 min at a 5 min mean session: real churn happened
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
    assertThat(r.originEgressRatio()).isEqualTo(r.population()); // every viewer costs the origin a copy
    assertThat(r.offload()).isZero();
    assertThat(r.maxDepth()).isEqualTo(1);
  }

  @Test
  void reportsOneProgressStepPerEventAndStopsWhenAsked() {
    AtomicLong steps = new AtomicLong();
    SimResult full = new Simulation(config(2_000, 0.2, 1)).run(steps::incrementAndGet, () -> false);
    assertThat(steps.get()).isEqualTo(full.events()).isEqualTo(full.joins() + full.departures() - full.evictions());
    SimResult stopped = new Simulation(config(2_000, 0.2, 1)).run(() -> { }, () -> true);
    assertThat(stopped.completed()).isFalse();
    assertThat(stopped.events()).isZero();
  }

  @Test
  void badSettingsAreRefusedClearly() {
    assertThatThrownBy(() -> new UplinkMix(1.5, List.of())).hasMessageContaining("[0,1]");
    assertThatThrownBy(() -> new UplinkMix(0.2, List.of("fast"))).hasMessageContaining("KBPS[:WEIGHT]");
    assertThatThrownBy(() -> config(0, 0.2, 1)).hasMessageContaining("viewers >= 1");
    assertThatThrownBy(() -> new Simulation(new SimConfig(10, 60, 60, 60, Sessions.EXPONENTIAL,
        new UplinkMix(0, List.of()), 0, 4, 1500, "nope", 1))).hasMessageContaining("unknown repair strategy");
  }

  @Test
  void joinMovesAreCountedApartFromRepairMoves() {
    // 20% cannot upload: a 4-slot joiner takes the place of a non-uploader above the free slot (one move).
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
}

package dev.waterfall.loadtest.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The random inputs of the simulation: uplinks, session lengths, hop latency. */
class ModelsTest {
  @Test
  void uplinkMixGivesTheSlotsOfTheRealRuleInTheRightShares() {
    // 1 slot and 4 slots at 1.5 Mbps
    UplinkMix mix = new UplinkMix(0.2, List.of("3000:1", "20000:1"));
    SplittableRandom r = new SplittableRandom(1);
    int[] count = new int[5];
    for (int i = 0; i < 100_000; i++) {
      count[mix.drawSlots(r, 4, 1500)]++;
    }
    assertThat(count[0] / 1e5).isCloseTo(0.2, within(0.01));
    assertThat(count[1] / 1e5).isCloseTo(0.4, within(0.01));
    assertThat(count[4] / 1e5).isCloseTo(0.4, within(0.01));
    assertThat(count[2] + count[3]).isZero();
    assertThat(new UplinkMix(0, List.of()).drawSlots(r, 4, 1500)).isEqualTo(4);
  }

  @Test
  void bothSessionModelsHaveTheRequestedMeanAndLogNormalIsSkewed() {
    for (Sessions s : Sessions.values()) {
      SplittableRandom r = new SplittableRandom(2);
      double[] draws = new double[200_000];
      double sum = 0;
      for (int i = 0; i < draws.length; i++) {
        draws[i] = s.draw(r, 600);
        sum += draws[i];
      }
      assertThat(sum / draws.length).as(s.name()).isCloseTo(600, within(30.0));
      java.util.Arrays.sort(draws);
      double median = draws[draws.length / 2];
      // exponential: median = ln 2 × mean; log-normal σ 1.5: e^(−1.125) × mean
      assertThat(median)
          .as(s.name())
          .isCloseTo(s == Sessions.EXPONENTIAL ? 416 : 195, within(15.0));
    }
  }

  @Test
  void hopModelReproducesItsCalibrationAndGrowsWithDepth() {
    HopModel m = new HopModel(10, 20, 0, 0);
    double[] one = m.percentilesAtDepth(1, 50_000, 1);
    assertThat(one[0]).isCloseTo(10, within(0.3));
    assertThat(one[1]).isCloseTo(20, within(0.8));
    HopModel calibrated = HopModel.calibrated();
    double previous = 0;
    for (int d = 1; d <= 12; d++) {
      double p50 = calibrated.percentilesAtDepth(d, 5_000, 1)[0];
      assertThat(p50).isGreaterThan(previous);
      previous = p50;
    }
    // One retransmission in ~6% of 6-hop paths puts depth 6's p95 near relay-hops' 448 ms.
    assertThat(calibrated.percentilesAtDepth(6, 50_000, 1)[1]).isBetween(300.0, 520.0);
    assertThat(calibrated.percentilesAtDepth(0, 10, 1)).containsExactly(0, 0, 0);
  }
}

package dev.waterfall.loadtest.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HopStatsTest {
  @Test
  void hopsAndEndToEndComeFromOneClock() {
    HopStats s =
        new HopStats(
            new long[][] {
              {1000, 1005, 1012, 1020},
              {3000, 3004, 3010, -1},
              {5000, 5006, 5011, 5019}
            });
    assertThat(s.segments()).isEqualTo(3);
    assertThat(s.completeEverywhere()).isEqualTo(2);
    assertThat(s.hop(1)).containsExactly(4, 5, 6);
    assertThat(s.hop(3)).containsExactly(8, 8);
    assertThat(s.fromOrigin(3)).containsExactly(19, 20);
    assertThat(HopStats.percentile(s.hop(1), 50)).isEqualTo(5);
    assertThat(HopStats.percentile(s.hop(1), 95)).isEqualTo(6);
    assertThat(s.worstHopP50()).isEqualTo(8);
    assertThat(s.hops().get("2").get("p50Ms").doubleValue()).isEqualTo(6);
  }

  @Test
  void emptyGivesNaNNotAnError() {
    assertThat(HopStats.percentile(new long[0], 50)).isNaN();
    assertThat(HopStats.summary(new long[0]).get("count").intValue()).isZero();
  }
}

package dev.waterfall.loadtest.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SlopeFitTest {
  @Test
  void growthPerThousandEdgesOfAStraightLine() {
    double[] edges = {0, 500, 1000, 1500, 2000};
    double[] rss = {300, 331.5, 363, 394.5, 426}; // 63 MB per 1,000 edges
    SlopeFit fit = SlopeFit.after(edges, rss, 0);
    assertThat(fit.perThousand()).isCloseTo(63, within(1e-9));
    assertThat(fit.intercept()).isCloseTo(300, within(1e-9));
    assertThat(fit.points()).isEqualTo(5);
  }

  @Test
  void theWarmUpIsLeftOutOfTheFit() {
    // A jump in the first 10 % (JIT, first segments), then flat: the fit sees only the flat part.
    double[] edges = {0, 100, 199, 200, 600, 1000, 1400, 2000};
    double[] rss = {200, 260, 280, 300, 300, 300, 300, 300};
    assertThat(SlopeFit.after(edges, rss, 0.1).perThousand()).isCloseTo(0, within(1e-9));
    assertThat(SlopeFit.after(edges, rss, 0.1).points()).isEqualTo(5);
    assertThat(SlopeFit.after(edges, rss, 0).perThousand()).isGreaterThan(10);
  }

  @Test
  void leastSquaresThroughNoiseAndMissingReadings() {
    double[] edges = {0, 1000, 2000, 3000, 4000};
    double[] heap = {10, 12, Double.NaN, 10, 12}; // a failed reading is skipped, not taken as zero
    SlopeFit fit = SlopeFit.after(edges, heap, 0);
    assertThat(fit.points()).isEqualTo(4);
    assertThat(fit.perThousand()).isCloseTo(0.2, within(1e-9));
  }

  @Test
  void tooFewSamplesOrOneEdgeCountGiveNoSlope() {
    assertThat(SlopeFit.after(new double[] {0, 1000}, new double[] {1, 2}, 0).perThousand())
        .isNaN();
    assertThat(SlopeFit.after(new double[] {5, 5, 5}, new double[] {1, 2, 3}, 0).perThousand())
        .isNaN();
  }
}

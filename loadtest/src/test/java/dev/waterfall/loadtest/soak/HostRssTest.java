package dev.waterfall.loadtest.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HostRssTest {
  @Test
  void aSawtoothIsFlatForTheHostWhileEachProcessGrows() {
    // Two processes, each 300 MB fed and +70 MB per 1,000 edges, recycled every 500 edges.
    int[] process = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    double[] edges = {0, 100, 200, 300, 400, 500, 500, 600, 700, 800, 900, 1000};
    double[] rss = {300, 307, 314, 321, 328, 335, 300, 307, 314, 321, 328, 335};
    HostRss h = HostRss.of(process, edges, rss, 0);
    assertThat(h.peakMb()).isEqualTo(335);
    assertThat(h.processes()).hasSize(2);
    HostRss.Process second = h.processes().get(1);
    assertThat(second.index()).isEqualTo(1);
    assertThat(second.samples()).isEqualTo(6);
    assertThat(second.edgesFrom()).isEqualTo(500);
    assertThat(second.edgesTo()).isEqualTo(1000);
    assertThat(second.rssFirstMb()).isEqualTo(300);
    assertThat(second.rssPeakMb()).isEqualTo(335);
    assertThat(second.growthMb()).isCloseTo(35, within(1e-9));
    assertThat(second.fit().perThousand()).isCloseTo(70, within(1e-9));
    // the host's line through two teeth rises a third as fast as a process; through more teeth,
    // flatter still
    assertThat(h.host().perThousand()).isCloseTo(245.0 / 11, within(1e-9));
    assertThat(h.host().points()).isEqualTo(12);
  }

  @Test
  void theMoreTeethTheFlatterTheHostsLine() {
    // eight processes of 500 edges each, +70 MB per 1,000 each (six samples a process)
    int[] process = new int[48];
    double[] edges = new double[48];
    double[] rss = new double[48];
    for (int i = 0; i < 48; i++) {
      process[i] = i / 6;
      edges[i] = i / 6 * 500 + i % 6 * 100;
      rss[i] = 300 + i % 6 * 7;
    }
    assertThat(HostRss.of(process, edges, rss, 0).host().perThousand()).isLessThan(2);
  }

  @Test
  void oneProcessIsTodaysFigure() {
    int[] process = {0, 0, 0, 0, 0};
    double[] edges = {0, 500, 1000, 1500, 2000};
    double[] rss = {300, 331.5, 363, 394.5, 426};
    HostRss h = HostRss.of(process, edges, rss, 0.1);
    assertThat(h.processes())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.fit().perThousand()).isCloseTo(63, within(1e-9));
              assertThat(p.growthMb()).isCloseTo(126, within(1e-9));
            });
    assertThat(h.host().perThousand()).isCloseTo(63, within(1e-9));
  }

  @Test
  void eachProcessLeavesItsOwnWarmUpOutAndMissingReadingsAreSkipped() {
    // process 1 jumps in its first edges (a fresh JVM's JIT), then is flat; one reading of it is
    // missing
    int[] process = {0, 0, 0, 1, 1, 1, 1, 1, 1};
    double[] edges = {0, 50, 100, 100, 105, 130, 160, 180, 200};
    double[] rss = {300, 305, 310, 280, 320, 320, Double.NaN, 320, 320};
    HostRss h = HostRss.of(process, edges, rss, 0.1);
    HostRss.Process p = h.processes().get(1);
    assertThat(p.rssFirstMb()).isEqualTo(280);
    assertThat(p.rssLastMb()).isEqualTo(320);
    // samples at ≥ 10 of its 100 edges
    assertThat(p.fit().perThousand()).isCloseTo(0, within(1e-9));
    assertThat(p.fit().points()).isEqualTo(3);
    assertThat(h.peakMb()).isEqualTo(320);
  }
}

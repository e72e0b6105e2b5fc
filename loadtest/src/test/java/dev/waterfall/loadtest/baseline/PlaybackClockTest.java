package dev.waterfall.loadtest.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlaybackClockTest {
  private static final long S = 1_000_000_000L;

  @Test
  void segmentsArrivingBeforeTheirTurnNeverStall() {
    HlsViewer.PlaybackClock c = new HlsViewer.PlaybackClock();
    c.segmentComplete(0, 2 * S); // plays 0..2 s
    c.segmentComplete(S / 10, 2 * S); // backlog: due at 2 s
    c.segmentComplete(3 * S, 2 * S); // due at 4 s
    c.segmentComplete(6 * S, 2 * S); // due at 6 s exactly: on time
    assertThat(c.late).isZero();
    assertThat(c.continuity()).isEqualTo(1.0);
  }

  @Test
  void aLateSegmentIsAStallAndPushesLaterDeadlines() {
    HlsViewer.PlaybackClock c = new HlsViewer.PlaybackClock();
    c.segmentComplete(0, 2 * S); // due next at 2 s
    c.segmentComplete(3 * S, 2 * S); // 1 s late: playback waited, next due at 5 s
    c.segmentComplete(5 * S - 1, 2 * S); // in time for the shifted deadline
    assertThat(c.late).isEqualTo(1);
    assertThat(c.stalledNanos).isEqualTo(S);
    assertThat(c.continuity()).isCloseTo(2.0 / 3, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(new HlsViewer.PlaybackClock().continuity()).isNaN();
  }
}

package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The relay's uplink meter, case for case with the browser's (web-player uplink.test.js): one rule
 * for both.
 */
class UplinkMeterTest {

  @Test
  void aBurstThatDrainsGivesItsRateASmallOneOrNoneGivesNothing() {
    UplinkMeter m = new UplinkMeter();
    assertThat(m.kbps(0)).isNull();
    // A new child's backlog: 750 kB queued at once, drained 300 ms later: 20 Mbit/s.
    for (int i = 0; i < 12; i++) {
      m.sent(1000, 62_500, i == 0 ? 0 : 1, i % 2 == 0 ? "a" : "b"); // two children
    }
    m.check(1100, 400_000); // still draining, not yet a long backlog
    m.check(1300, 0);
    assertThat(m.kbps(1300)).isEqualTo(20_000);
    UplinkMeter small = new UplinkMeter();
    small.sent(0, 64 * 1024, 0, "a");
    small.sent(0, 64 * 1024, 1, "b");
    small.check(5, 0); // one chunk: timers, not the uplink
    assertThat(small.kbps(5)).isNull();
  }

  @Test
  void aBacklogThatNeverDrainsIsSampledFromWhatLeftTheQueues() {
    UplinkMeter m = new UplinkMeter();
    m.sent(0, 250_000, 0, "a");
    m.sent(0, 250_000, 1, "b");
    // After LONG_BUSY_MS 375 kB are still queued: 125 kB left in 1 s, 1 Mbit/s.
    m.check(UplinkMeter.LONG_BUSY_MS, 375_000);
    assertThat(m.kbps(UplinkMeter.LONG_BUSY_MS)).isEqualTo(1000);
    // The rest opens the next sample: another 250 kB queued, 375 kB still there a second later: 250
    // kB in 1 s.
    m.sent(UplinkMeter.LONG_BUSY_MS + 10, 250_000, 375_000, "a");
    m.check(2 * UplinkMeter.LONG_BUSY_MS, 375_000);
    assertThat(m.kbps(2 * UplinkMeter.LONG_BUSY_MS)).isEqualTo(2000);
  }

  @Test
  void framesQueuedWhileOthersWaitExtendTheBusyPeriodAndOldSamplesAreForgotten() {
    UplinkMeter m = new UplinkMeter();
    m.sent(0, 100_000, 0, "a");
    m.sent(50, 100_000, 60_000, "b");
    m.check(100, 0);
    assertThat(m.kbps(100)).isEqualTo(16_000);
    assertThat(m.kbps(100 + UplinkMeter.WINDOW_MS + 1)).isNull();
  }

  @Test
  void theBestSampleOfTheWindowCounts() {
    UplinkMeter m = new UplinkMeter();
    m.sent(0, 100_000, 0, "a");
    m.sent(0, 100_000, 1, "b");
    m.check(100, 0); // 16 Mbit/s
    m.sent(200, 100_000, 0, "a");
    m.sent(200, 100_000, 1, "b");
    m.check(1_800, 0); // 1 Mbit/s: a household sharing the line a moment
    assertThat(m.kbps(1_800)).isEqualTo(16_000);
    assertThat(m.kbps(100 + UplinkMeter.WINDOW_MS + 1)).isEqualTo(1000);
  }

  @Test
  void oneChildAloneMeasuresItsEdgeNotTheUplink() {
    UplinkMeter m = new UplinkMeter();
    for (int i = 0; i < 12; i++) {
      m.sent(1000, 62_500, i == 0 ? 0 : 1, "a");
    }
    m.check(1300, 0);
    assertThat(m.kbps(1300)).isNull();
  }
}

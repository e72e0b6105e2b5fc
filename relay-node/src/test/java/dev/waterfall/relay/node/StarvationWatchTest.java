package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StarvationWatchTest {
  private static final long TICK = 250;

  /** ~1 Mbit/s: what a tick brings in. */
  private static final long PER_TICK = 32_000;

  private final StarvationWatch watch = new StarvationWatch();
  private long now = 1_000_000;
  private long fromParent;
  private long healed;
  private String detail;

  /**
   * Runs {@code ms} of ticks with the parent supplying {@code share} of the stream; the first
   * report's share.
   */
  private double run(long ms, double share) {
    double reported = -1;
    for (long t = 0; t < ms; t += TICK) {
      now += TICK;
      fromParent += Math.round(PER_TICK * share);
      healed += Math.round(PER_TICK * (1 - share));
      StarvationWatch.Verdict r = watch.check(now, fromParent, healed);
      if (r != null && reported < 0) {
        reported = r.share();
        detail = r.detail();
      }
    }
    return reported;
  }

  @Test
  void aParentThatSuppliesEverythingIsNeverReported() {
    watch.linkOpened();
    assertThat(run(60_000, 1.0)).isEqualTo(-1);
  }

  @Test
  void aParentThatWithholdsIsReportedOnceAWindowHasPassed() {
    watch.linkOpened();
    assertThat(run(StarvationWatch.WINDOW_MS - TICK, 0.0))
        .as("not before a whole window")
        .isEqualTo(-1);
    assertThat(run(2 * TICK, 0.0)).isEqualTo(0.0);
  }

  @Test
  void aSlowParentBelowHalfTheStreamIsReportedWithItsShare() {
    watch.linkOpened();
    assertThat(run(12_000, 0.3)).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.02));
  }

  @Test
  void aParentThatLosesAFewChunksToHttpIsNotReported() {
    watch.linkOpened();
    assertThat(run(60_000, 0.8)).isEqualTo(-1);
  }

  @Test
  void afterAReportTheNextNeedsAWholeNewWindow() {
    watch.linkOpened();
    assertThat(run(10_250, 0.0)).isGreaterThanOrEqualTo(0);
    assertThat(run(StarvationWatch.WINDOW_MS - 2 * TICK, 0.0)).isEqualTo(-1);
    assertThat(run(2 * TICK, 0.0)).isEqualTo(0.0);
  }

  @Test
  void healingBeforeTheLinkOpenedDoesNotCount() {
    run(20_000, 0.0); // no link: nothing judged, whatever was healed
    watch.linkOpened();
    assertThat(run(StarvationWatch.WINDOW_MS + TICK, 0.9)).isEqualTo(-1);
  }

  @Test
  void aClosedLinkIsNotJudged() {
    watch.linkOpened();
    run(5_000, 0.0);
    watch.linkClosed();
    assertThat(run(20_000, 0.0)).isEqualTo(-1);
  }

  @Test
  void aParentThatGoesSilentAfterDeliveringIsReportedAfterTheSilenceNotAWindow() {
    watch.linkOpened();
    assertThat(run(30_000, 1.0)).isEqualTo(-1);
    assertThat(run(StarvationWatch.SILENCE_MS - TICK, 0.0)).isEqualTo(-1);
    // its share of the window it was judged over: most of it came before the silence
    assertThat(run(2 * TICK, 0.0)).isBetween(0.6, 0.8);
    assertThat(detail).contains("nothing for 3 s");
    assertThat(run(StarvationWatch.WINDOW_MS - 2 * TICK, 0.0))
        .as("the next report needs new deliveries or a whole window")
        .isEqualTo(-1);
  }

  @Test
  void aParentThatNeverDeliveredIsJudgedByTheWindowAlone() {
    watch.linkOpened();
    assertThat(run(StarvationWatch.WINDOW_MS - TICK, 0.0)).isEqualTo(-1);
  }

  @Test
  void silenceWhileNothingComesOverHttpEitherIsNotReported() {
    watch.linkOpened();
    assertThat(run(20_000, 1.0)).isEqualTo(-1);
    for (long t = 0; t < 20_000; t += TICK) {
      now += TICK;
      assertThat(watch.check(now, fromParent, healed)).as("the stream paused").isNull();
    }
  }
}

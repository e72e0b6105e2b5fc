package dev.waterfall.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void eachRetryWaitsBetweenHalfAndAllOfADoublingBaseCappedAtFourSeconds() {
    Backoff b = new Backoff();
    long[] bases = {250, 500, 1000, 2000, 4000, 4000, 4000};
    for (long base : bases) {
      assertThat(b.next()).isBetween(base / 2, base);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(b.next()).isBetween(Backoff.MAX_MS / 2, Backoff.MAX_MS);
    }
  }

  @Test
  void aResetStartsAgainFromTheFirstDelay() {
    Backoff b = new Backoff();
    for (int i = 0; i < 5; i++) {
      b.nextUnjittered();
    }
    assertThat(b.nextUnjittered()).isEqualTo(Backoff.MAX_MS);
    b.reset();
    assertThat(b.nextUnjittered()).isEqualTo(Backoff.FIRST_MS);
  }

  @Test
  void aHugeAttemptCountNeitherOverflowsNorExceedsTheCap() {
    assertThat(Backoff.base(Integer.MAX_VALUE)).isEqualTo(Backoff.MAX_MS);
    assertThat(Backoff.base(0)).isEqualTo(Backoff.FIRST_MS);
  }
}

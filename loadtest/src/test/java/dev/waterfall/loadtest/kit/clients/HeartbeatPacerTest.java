package dev.waterfall.loadtest.kit.clients;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeartbeatPacerTest {
  @Test
  void heartbeatsAreSpreadOverTheInterval() {
    long second = 1_000_000_000L;
    // 10,000 slots on a 2 s interval: 5,000 visits per second, each slot once per interval.
    assertThat(HeartbeatPacer.due(10_000, second, 2 * second)).isEqualTo(5_000);
    assertThat(HeartbeatPacer.due(10_000, 2 * second, 2 * second)).isEqualTo(10_000);
    assertThat(HeartbeatPacer.due(10_000, 10_000_000L, 2 * second)).isEqualTo(50); // one 10 ms tick
    // An hour in stays exact enough (no overflow).
    assertThat(HeartbeatPacer.due(100_000, 3600 * second, 2 * second)).isEqualTo(180_000_000L);
  }
}

package dev.waterfall.loadtest.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.testkit.process.CoordinatorProcess;
import org.junit.jupiter.api.Test;

class SignallingPartsTest {
  @Test
  void churnIsAShareOfTheViewersPerMinute() {
    assertThat(ChurnPhase.departures(3000, 10, 60)).isEqualTo(300);
    assertThat(ChurnPhase.departures(10_000, 10, 30)).isEqualTo(500);
    assertThat(ChurnPhase.departures(10_000, 0, 60)).isZero();
  }

  @Test
  void everyCoordinatorIsToldOfAllMembers() {
    assertThat(CoordinatorProcess.clusterMembers(17101, 3))
        .isEqualTo("127.0.0.1:17101,127.0.0.1:17102,127.0.0.1:17103");
    assertThat(CoordinatorProcess.clusterMembers(17101, 1)).isEqualTo("127.0.0.1:17101");
  }
}

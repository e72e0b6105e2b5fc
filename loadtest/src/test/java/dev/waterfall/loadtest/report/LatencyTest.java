package dev.waterfall.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyTest {
  @Test
  void summaryReportsPercentilesInTheChosenUnit() {
    Histogram h = Latency.histogram();
    for (int i = 1; i <= 1000; i++) {
      h.recordValue(i * 1_000L); // 1 µs .. 1000 µs
    }
    ObjectNode us = Latency.summary(h, Latency.Unit.MICROS);
    assertThat(us.get("count").asLong()).isEqualTo(1000);
    assertThat(us.get("p50Us").asDouble()).isBetween(499.0, 501.0);
    assertThat(us.get("p99Us").asDouble()).isBetween(989.0, 991.0);
    assertThat(us.get("maxUs").asDouble()).isBetween(999.0, 1001.0);

    ObjectNode ms = Latency.summary(h, Latency.Unit.MILLIS);
    assertThat(ms.has("p99Ms")).isTrue();
    assertThat(ms.get("maxMs").asDouble()).isEqualTo(1.0);
  }

  @Test
  void emptyHistogramGivesOnlyTheCount() {
    ObjectNode s = Latency.summary(Latency.histogram(), Latency.Unit.MICROS);
    assertThat(s.get("count").asLong()).isZero();
    assertThat(s.has("p99Us")).isFalse();
  }

  @Test
  void histogramKeepsOutliersBeyondAnyPresetRange() {
    Histogram h = Latency.histogram();
    h.recordValue(10_000_000_000L); // a 10 s stall
    assertThat(Latency.at(h, 100, Latency.Unit.MILLIS)).isBetween(9_990.0, 10_010.0);
  }

  @Test
  void ratesRoundToWholeOperations() {
    assertThat(Latency.perSecond(50_000, 1_000_000_000L)).isEqualTo(50_000);
    assertThat(Latency.perSecond(3, 2_000_000_000L)).isEqualTo(2); // 1.5 rounds up
    assertThat(Latency.perSecond(10, 0)).isZero();
  }
}

package dev.waterfall.loadtest.kit.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTest {
  private static final String METRICS =
      """
      # HELP jvm_memory_used_bytes The amount of used memory
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
      jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E3
      jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 99999.0
      jvm_memory_used_bytes_other{area="heap"} 7.0
      process_cpu_usage 0.25
      waterfall_placement_seconds_count 12.0
      """;

  @Test
  void sumsHeapPoolsOnly() {
    assertThat(
            Prometheus.sum(METRICS, "jvm_memory_used_bytes", Map.of("area", "heap")).getAsDouble())
        .isEqualTo(3500.0);
  }

  @Test
  void readsUnlabelledSamplesAndMissingMetrics() {
    assertThat(Prometheus.sum(METRICS, "process_cpu_usage", Map.of()).getAsDouble())
        .isEqualTo(0.25);
    assertThat(Prometheus.sum(METRICS, "waterfall_placement_seconds_count", Map.of()).getAsDouble())
        .isEqualTo(12.0);
    assertThat(Prometheus.sum(METRICS, "no_such_metric", Map.of())).isEmpty();
  }

  @Test
  void parsesEscapedLabelValues() {
    assertThat(Prometheus.parseLabels("a=\"x\\\"y\",b=\"z\""))
        .containsEntry("a", "x\"y")
        .containsEntry("b", "z");
  }
}

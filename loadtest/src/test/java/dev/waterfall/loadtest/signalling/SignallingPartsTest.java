package dev.waterfall.loadtest.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SignallingPartsTest {
  private static final String METRICS = """
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
    assertThat(Prometheus.sum(METRICS, "jvm_memory_used_bytes", Map.of("area", "heap")).getAsDouble())
        .isEqualTo(3500.0);
  }

  @Test
  void readsUnlabelledSamplesAndMissingMetrics() {
    assertThat(Prometheus.sum(METRICS, "process_cpu_usage", Map.of()).getAsDouble()).isEqualTo(0.25);
    assertThat(Prometheus.sum(METRICS, "waterfall_placement_seconds_count", Map.of()).getAsDouble()).isEqualTo(12.0);
    assertThat(Prometheus.sum(METRICS, "no_such_metric", Map.of())).isEmpty();
  }

  @Test
  void parsesEscapedLabelValues() {
    assertThat(Prometheus.parseLabels("a=\"x\\\"y\",b=\"z\""))
        .containsEntry("a", "x\"y").containsEntry("b", "z");
  }

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

  @Test
  void cpuTimeFromProcStatSkipsCommandNamesWithSpaces() {
    String stat = "4242 (java main) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 40 0 1000 0";
    assertThat(ProcStat.cpuSecondsFromStat(stat)).isEqualTo(3.0);
  }

  @Test
  void threadGroupsAreRankedAndEndedThreadsAccountedFor() {
    Map<String, Double> before = Map.of("vert.x-eventloo", 1.0, "C2 CompilerThre", 5.0);
    Map<String, Double> after = Map.of("vert.x-eventloo", 3.0, "C2 CompilerThre", 6.0, "idle", 0.001);
    // 2 s window; the process spent 4 CPU-seconds, 3 of them in threads still alive.
    Map<String, Double> cores = ProcStat.coresByThread(before, after, 2.0, 4.0);
    assertThat(cores).containsExactly(Map.entry("vert.x-eventloo", 1.0), Map.entry("C2 CompilerThre", 0.5),
        Map.entry(ProcStat.ENDED, 0.5));
    assertThat(ProcStat.jitCores(cores)).isEqualTo(0.5);
  }
}

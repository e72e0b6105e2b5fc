package dev.waterfall.loadtest.kit.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcStatTest {
  @Test
  void cpuTimeFromProcStatSkipsCommandNamesWithSpaces() {
    String stat =
        "4242 (java main) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 40 0 1000 0";
    assertThat(ProcStat.cpuSecondsFromStat(stat)).isEqualTo(3.0);
  }

  @Test
  void threadGroupsAreRankedAndEndedThreadsAccountedFor() {
    Map<String, Double> before = Map.of("vert.x-eventloo", 1.0, "C2 CompilerThre", 5.0);
    Map<String, Double> after =
        Map.of("vert.x-eventloo", 3.0, "C2 CompilerThre", 6.0, "idle", 0.001);
    // 2 s window; the process spent 4 CPU-seconds, 3 of them in threads still alive.
    Map<String, Double> cores = ProcStat.coresByThread(before, after, 2.0, 4.0);
    assertThat(cores)
        .containsExactly(
            Map.entry("vert.x-eventloo", 1.0),
            Map.entry("C2 CompilerThre", 0.5),
            Map.entry(ProcStat.ENDED, 0.5));
    assertThat(ProcStat.jitCores(cores)).isEqualTo(0.5);
  }
}

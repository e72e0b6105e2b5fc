package dev.waterfall.loadtest.run;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What every scenario accepts: a time budget and where to write its report. */
public final class ScenarioOptions {
  @Option(
      names = "--max-seconds",
      defaultValue = "600",
      description =
          "Time budget; phases not started by then are skipped and the report says so (default ${DEFAULT-VALUE}).")
  public long maxSeconds;

  @Setting(recorded = false)
  @Option(
      names = "--reports-dir",
      paramLabel = "DIR",
      description =
          "Where to write <scenario>.json (default: <dir of the jar>/reports, else ./loadtest/target/reports).")
  public Path reportsDir;
}

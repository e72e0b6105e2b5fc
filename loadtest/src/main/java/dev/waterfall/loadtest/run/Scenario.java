package dev.waterfall.loadtest.run;

import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * The frame every scenario runs in: start a report, run within the time budget, always write the report
 * (even when a phase throws, so partial figures survive), print the targets. Exit code 0 when the run
 * completed, whether or not targets were met; 1 only for errors.
 */
public abstract class Scenario implements Callable<Integer> {
  @Mixin
  protected ScenarioOptions common;

  protected abstract String name();

  /** Runs the phases, filling {@code report}; throwing marks the run failed (after writing the report). */
  protected abstract void run(Report report, Deadline deadline, Progress progress) throws Exception;

  @Override
  public final Integer call() throws Exception {
    Report report = Report.start(name());
    report.settings().put("maxSeconds", common.maxSeconds);
    Deadline deadline = Deadline.in(common.maxSeconds);
    Exception failure = null;
    try (Progress progress = new Progress(System.err)) {
      run(report, deadline, progress);
    } catch (Exception e) {
      failure = e;
      report.incomplete("failed: " + e);
    }
    Path dir = ReportDir.locate(common.reportsDir);
    Path file = report.write(dir);
    System.out.println("Report: " + file);
    report.printTargets(System.out);
    if (failure != null) {
      throw failure;
    }
    return 0;
  }
}

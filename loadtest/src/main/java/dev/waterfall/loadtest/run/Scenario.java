package dev.waterfall.loadtest.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.HtmlReport;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.SvgChart;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * The frame every scenario runs in: start a report, run within the time budget, always write the
 * report (even when a phase throws, so partial figures survive), print the targets. Exit code 0
 * when the run completed, whether or not targets were met; 1 only for errors.
 */
public abstract class Scenario implements Callable<Integer> {
  @Mixin protected ScenarioOptions common;

  @Spec CommandLine.Model.CommandSpec spec;

  protected abstract String name();

  /**
   * Checks the options before anything starts; throws IllegalArgumentException saying what is
   * wrong.
   */
  protected void validate() {}

  /**
   * Runs the phases, filling {@code report}; throwing marks the run failed (after writing the
   * report).
   */
  protected abstract void run(Report report, Deadline deadline, Progress progress) throws Exception;

  /**
   * Charts for the HTML page, drawn from the figures as the run left them (also after a failure, so
   * they may be partial); none by default.
   */
  protected List<SvgChart> charts(ObjectNode figures) {
    return List.of();
  }

  /**
   * Copies the figures that every scenario reports where they apply ({@link
   * HtmlReport#COMMON_FIELDS}: viewers, bitrateKbps, originEgressRatio …) from this scenario's
   * figures into {@code common}; called after the run, also after a failure. By default those the
   * figures hold at their top level under the same name; a scenario whose headline figure is
   * elsewhere or computed overrides this.
   */
  protected void headline(ObjectNode figures, ObjectNode common) {
    Report.copyPresent(figures, common, HtmlReport.COMMON_FIELDS.toArray(String[]::new));
  }

  /** The headline for a report's figures, for re-rendering a page from its JSON. */
  public final void headlineFor(ObjectNode figures, ObjectNode common) {
    headline(figures, common);
  }

  /** The charts for a report's figures, for re-rendering a page from its JSON. */
  public final List<SvgChart> chartsFor(ObjectNode figures) {
    return charts(figures);
  }

  @Override
  public final Integer call() throws Exception {
    try {
      validate();
      // bad options: say so with the usage, run nothing, write no report
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), name() + ": " + e.getMessage());
    }
    Report report = Report.start(name());
    OptionSettings.record(spec, report.settings());
    Deadline deadline = Deadline.in(common.maxSeconds);
    Exception failure = null;
    try (Progress progress = new Progress(System.err)) {
      run(report, deadline, progress);
    } catch (Exception e) {
      failure = e;
      report.incomplete("failed: " + e);
    }
    try {
      headline(report.figures(), report.common());
    } catch (RuntimeException e) {
      report.note("headline figures left out: " + e);
    }
    try {
      charts(report.figures()).forEach(report::chart);
    } catch (RuntimeException e) { // a chart must never cost the figures
      report.note("charts left out: " + e);
    }
    Path dir = ReportDir.locate(common.reportsDir);
    Path file = report.write(dir);
    System.out.println(
        "Report: "
            + file
            + " (and "
            + file.getFileName().toString().replace(".json", ".html")
            + ")");
    report.printTargets(System.out);
    if (failure != null) {
      throw failure;
    }
    return 0;
  }
}

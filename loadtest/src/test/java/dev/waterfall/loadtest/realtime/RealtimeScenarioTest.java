package dev.waterfall.loadtest.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.Main;
import dev.waterfall.loadtest.report.SvgChart;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName(
    "loadtest realtime: its report's headline and charts come from the figures alone; bad options refused")
class RealtimeScenarioTest {
  /** The figures of a run, cut down (as RealtimeScenario writes them). */
  private static final String FIGURES =
      """
      {"bitrateKbps": 800, "maxDepth": 3, "viewers": 6,
       "glassToGlassByDepth": {"0": {"count": 4, "p50Ms": 6, "p90Ms": 19, "maxMs": 101},
                               "1": {"count": 4, "p50Ms": 33, "p90Ms": 52, "maxMs": 252},
                               "2": {"count": 4, "p50Ms": 50, "p90Ms": 70, "maxMs": 235},
                               "3": {"count": 4, "p50Ms": 79, "p90Ms": 103, "maxMs": 315}},
       "cpuPerForwardedTrack": {"pagePercent": 3.5, "boosterPercent": 2.4},
       "boosterPhaseGlassToGlass": {"depth 1 (page)": {"count": 4, "p50Ms": 41, "p90Ms": 57},
                                    "depth 2 via booster": {"count": 4, "p50Ms": 134, "p90Ms": 162},
                                    "depth 2 via page": {"count": 4, "p50Ms": 62, "p90Ms": 83}}}""";

  @Test
  @DisplayName("headline (viewers, bitrate, depth) and three charts, re-renderable from the JSON")
  void headlineAndCharts() throws Exception {
    ObjectNode figures = (ObjectNode) new ObjectMapper().readTree(FIGURES);
    RealtimeScenario scenario = new RealtimeScenario();
    ObjectNode common = JsonNodeFactory.instance.objectNode();
    scenario.headlineFor(figures, common);
    assertThat(common.toString()).isEqualTo("{\"viewers\":6,\"bitrateKbps\":800,\"maxDepth\":3}");
    List<SvgChart> charts = scenario.chartsFor(figures);
    assertThat(charts)
        .extracting(SvgChart::title)
        .containsExactly(
            "Glass-to-glass latency by depth, pages only (depth 0: the publisher's preview)",
            "Glass-to-glass latency through a booster and through a page, side by side",
            "CPU per forwarded track (320×240 clock picture, 800 kbps cap)");
    assertThat(charts).noneMatch(SvgChart::isEmpty);
    assertThat(charts.get(1).svg()).contains("depth 2 via booster");
  }

  @Test
  @DisplayName("a run cut short before any figure: no charts, no error")
  void noFigures() {
    assertThat(new RealtimeScenario().chartsFor(JsonNodeFactory.instance.objectNode())).isEmpty();
  }

  @Test
  @DisplayName("--depth below 3 (the target's depth) is refused before anything starts")
  void badDepth() {
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(new java.io.PrintWriter(err));
    assertThat(cli.execute("realtime", "--depth", "2")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--depth must be 3..6");
  }
}

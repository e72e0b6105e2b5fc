package dev.waterfall.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class HtmlReportTest {
  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void lineChartIsWellFormedSvgWithOnePointPerValue() throws Exception {
    String svg =
        SvgChart.lines("Depth <vs> N", "viewers", "depth")
            .logX()
            .line("max", new double[] {1e3, 1e4, 1e5, 1e6}, new double[] {6, 8, 10, 12})
            .line("gaps skipped", new double[] {1e3, Double.NaN}, new double[] {1, 2})
            .svg();
    Document doc = parse(svg);
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
    assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(5);
    assertThat(svg).contains("Depth &lt;vs&gt; N").contains(">1M<").contains(">1k<");
  }

  @Test
  void barChartHasABarPerValueAndRefusesMismatchedData() throws Exception {
    SvgChart chart =
        SvgChart.bars("Moves", "N", "edges", List.of("1k", "1M"))
            .logY()
            .bar("p50", new double[] {5, 5})
            .bar("max", new double[] {5, Double.NaN});
    Document doc = parse(chart.svg());
    // frame, bars, legend
    assertThat(doc.getElementsByTagName("rect").getLength()).isEqualTo(1 + 3 + 2);
    assertThatThrownBy(() -> chart.bar("bad", new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> chart.line("bad", new double[] {1}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ticksAreRoundNumbersCoveringTheRange() {
    assertThat(SvgChart.ticks(0, 13, false)).containsExactly(0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0);
    assertThat(SvgChart.ticks(1, 1e6, true)).containsExactly(1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6);
  }

  @Test
  void reportWritesJsonAndASelfContainedPageWithHeadlineTargetsAndCharts(@TempDir Path dir)
      throws Exception {
    ObjectNode machine = JsonNodeFactory.instance.objectNode().put("cores", 2);
    Report report = new Report("demo", Instant.parse("2026-11-21T10:00:00Z"), machine);
    report.common().put("viewers", 1000).put("originEgressRatio", 4.0).putNull("continuity");
    report.target(Target.atMost("origin egress", 4.0, 4.1, "× stream"));
    report.target(Target.atLeast("continuity", 0.99, 0.999, ""));
    report.chart(
        SvgChart.lines("Egress", "N", "copies")
            .line("Waterfall", new double[] {1, 2}, new double[] {4, 4}));
    report.chart(SvgChart.lines("Empty", "x", "y")); // left out
    report.note("a <note>");
    report.write(dir);
    assertThat(dir.resolve("demo.json")).exists();
    String html = Files.readString(dir.resolve("demo.html"));
    ObjectNode json =
        (ObjectNode)
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("demo.json").toFile());
    assertThat(json.get("viewers").asInt()).isEqualTo(1000); // headline figures at the top level
    assertThat(json.get("originEgressRatio").asDouble()).isEqualTo(4.0);
    assertThat(json.has("continuity")).isFalse(); // does not apply: left out, not null
    assertThat(html)
        .contains("<th>viewers</th><td>1000</td>")
        .contains("<th>originEgressRatio</th><td>4.0</td>")
        .contains("class=\"met\">MET")
        .contains("class=\"missed\">MISSED")
        .contains(">Egress<")
        .doesNotContain(">Empty<")
        .contains("a &lt;note&gt;");
    assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("<link");
  }
}

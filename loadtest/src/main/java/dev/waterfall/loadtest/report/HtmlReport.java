package dev.waterfall.loadtest.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The report as one self-contained HTML page: the headline figures, the targets, the scenario's
 * charts (inline SVG), the notes, and the full JSON below. Rendered from the same JSON that is
 * written next to it, so the two never disagree.
 */
public final class HtmlReport {
  /**
   * The figures every scenario reports where they apply, in this order (see docs/benchmarks.md).
   */
  public static final List<String> COMMON_FIELDS =
      List.of(
          "viewers",
          "durationSeconds",
          "bitrateKbps",
          "originEgressRatio",
          "offload",
          "maxDepth",
          "continuity",
          "stalls",
          "repairP50Ms",
          "repairP95Ms",
          "joinsPerSecond",
          "joinP99Ms");

  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HtmlReport() {}

  public static String render(ObjectNode json, List<SvgChart> charts) {
    String scenario = json.path("scenario").asText();
    StringBuilder h = new StringBuilder();
    h.append(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Waterfall loadtest: ")
        .append(SvgChart.escape(scenario))
        .append("</title><style>")
        .append(
            "body{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}")
        .append(
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}")
        .append(
            "th{background:#f4f4f4}.met{color:#2a7d2a;font-weight:bold}.missed{color:#b22;font-weight:bold}")
        .append(
            "pre{background:#f8f8f8;padding:1em;overflow:auto;font-size:12px}svg{display:block;margin:1.5em 0}")
        .append("</style></head><body>\n");
    h.append("<h1>loadtest: ")
        .append(SvgChart.escape(scenario))
        .append("</h1>\n<p>Started ")
        .append(SvgChart.escape(json.path("startedAt").asText()))
        .append(", ")
        .append(json.path("durationSeconds").asText())
        .append(" s, ")
        .append(json.path("complete").asBoolean() ? "complete" : "<b>incomplete</b>")
        .append(". Machine: ")
        .append(SvgChart.escape(machine(json.path("machine"))))
        .append("</p>\n");

    StringBuilder common = new StringBuilder();
    for (String key : COMMON_FIELDS) {
      JsonNode v = json.get(key);
      if (v != null && !v.isNull()) {
        common
            .append("<tr><th>")
            .append(key)
            .append("</th><td>")
            .append(SvgChart.escape(v.asText()))
            .append("</td></tr>");
      }
    }
    if (!common.isEmpty()) {
      h.append("<h2>Headline</h2><table>").append(common).append("</table>\n");
    }

    JsonNode targets = json.path("targets");
    if (targets.size() > 0) {
      h.append(
          "<h2>Targets</h2><table><tr><th>target</th><th>measured</th><th>threshold</th><th></th></tr>");
      for (JsonNode t : targets) {
        boolean met = t.path("met").asBoolean();
        h.append("<tr><td>")
            .append(SvgChart.escape(t.path("name").asText()))
            .append("</td><td>")
            .append(Target.format(t.path("measured").asDouble()))
            .append("</td><td>")
            .append(SvgChart.escape(t.path("comparison").asText()))
            .append(' ')
            .append(Target.format(t.path("threshold").asDouble()))
            .append(' ')
            .append(SvgChart.escape(t.path("unit").asText()))
            .append("</td><td class=\"")
            .append(met ? "met\">MET" : "missed\">MISSED")
            .append("</td></tr>");
      }
      h.append("</table>\n");
    }

    if (!charts.isEmpty()) {
      h.append("<h2>Charts</h2>\n");
      for (SvgChart c : charts) {
        h.append(c.svg()).append('\n');
      }
    }

    JsonNode notes = json.path("notes");
    if (notes.size() > 0) {
      h.append("<h2>Notes</h2><ul>");
      for (JsonNode n : notes) {
        h.append("<li>").append(SvgChart.escape(n.asText())).append("</li>");
      }
      h.append("</ul>\n");
    }
    h.append("<h2>Report (JSON)</h2><details><summary>settings, figures, machine</summary><pre>")
        .append(SvgChart.escape(pretty(json)))
        .append("</pre></details>\n</body></html>\n");
    return h.toString();
  }

  private static String machine(JsonNode m) {
    return m.path("cores").asText()
        + " cores, "
        + Math.round(m.path("physicalMemoryBytes").asDouble() / (1L << 30))
        + " GiB, Java "
        + m.path("jvm").path("version").asText()
        + ", load average at start "
        + m.path("loadAverageAtStart").asText();
  }

  private static String pretty(JsonNode json) {
    try {
      return PRETTY.writeValueAsString(json);
    } catch (Exception e) {
      return json.toString();
    }
  }
}

package dev.waterfall.loadtest.relaytree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import java.util.ArrayList;
import java.util.List;

/** The relay-tree report's charts, drawn from its figures (also when re-rendering). */
final class RelayTreeReport {
  private RelayTreeReport() {}

  static List<SvgChart> charts(ObjectNode figures) {
    List<SvgChart> out = new ArrayList<>();
    JsonNode lat = figures.path("latencyByDepth");
    if (lat.size() > 0) {
      out.add(
          SvgChart.lines("Latency by depth: segment complete after the origin", "depth", "ms")
              .line("p50", Series.of(lat, "depth"), Series.of(lat, "p50Ms"))
              .line("p99", Series.of(lat, "depth"), Series.of(lat, "p99Ms"))
              .line("max", Series.of(lat, "depth"), Series.of(lat, "maxMs")));
    }
    JsonNode repairs = figures.path("repairs");
    List<Double> times = new ArrayList<>();
    for (JsonNode r : repairs) {
      if (r.has("dataFlowingAfterMs")) {
        times.add(r.get("dataFlowingAfterMs").asDouble());
      }
    }
    if (!times.isEmpty()) {
      times.sort(null);
      // The distribution as a histogram of 250 ms buckets.
      int buckets = (int) Math.min(40, Math.floor(times.get(times.size() - 1) / 250) + 1);
      double[] counts = new double[buckets];
      List<String> labels = new ArrayList<>();
      for (int b = 0; b < buckets; b++) {
        labels.add(SvgChart.format(b * 250.0) + "–");
      }
      for (double t : times) {
        counts[(int) Math.min(buckets - 1, Math.floor(t / 250))]++;
      }
      out.add(
          SvgChart.bars(
                  "Repair time distribution (parent lost → data flowing again)",
                  "ms",
                  "orphans",
                  labels)
              .bar("orphans", counts));
    }
    if (figures.has("originEgressRatio")) {
      double n = figures.path("viewers").asDouble();
      out.add(
          SvgChart.bars(
                  "Origin egress at " + SvgChart.format(n) + " relays",
                  "",
                  "copies of the stream",
                  List.of("Waterfall (measured)", "plain HLS (N copies)"))
              .bar(
                  "origin egress", new double[] {figures.path("originEgressRatio").asDouble(), n}));
    }
    return out;
  }
}

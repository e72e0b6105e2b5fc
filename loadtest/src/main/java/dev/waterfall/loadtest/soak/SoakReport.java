package dev.waterfall.loadtest.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The soak report's slopes and charts, drawn from its samples (also when re-rendering a page from the JSON). */
final class SoakReport {
  /** NMT categories growing less than this per 1,000 edges are left out of the list (noise). */
  private static final double NMT_NOISE_MB = 0.01;

  private SoakReport() {}

  /** Growth per 1,000 edges after the warm-up, of each memory figure and each NMT category that grew. */
  static void putSlopes(ObjectNode figures, double warmupShare) {
    JsonNode samples = figures.path("samples");
    if (samples.size() == 0) {
      return;
    }
    double[] edges = Series.of(samples, "edgesClosed");
    for (String[] f : new String[][] {{"rssMb", "rssMbPer1000Edges"}, {"rssAnonMb", "rssAnonMbPer1000Edges"},
        {"heapLiveMb", "heapMbPer1000Edges"}, {"nmtCommittedMb", "nmtMbPer1000Edges"},
        {"outsideNmtMb", "outsideNmtMbPer1000Edges"}}) {
      SlopeFit fit = SlopeFit.after(edges, Series.of(samples, f[0]), warmupShare);
      if (!Double.isNaN(fit.perThousand())) {
        figures.put(f[1], round(fit.perThousand()));
      }
      if (f[0].equals("rssMb")) {
        figures.put("fittedSamples", fit.points());
      }
    }
    Map<String, Double> grew = new LinkedHashMap<>();
    for (String category : categories(samples)) {
      SlopeFit fit = SlopeFit.after(edges, nmtMb(samples, category), warmupShare);
      if (fit.perThousand() >= NMT_NOISE_MB) {
        grew.put(category, round(fit.perThousand()));
      }
    }
    ObjectNode out = figures.putObject("nmtGrowthMbPer1000Edges");
    grew.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
  }

  static List<SvgChart> charts(ObjectNode figures) {
    List<SvgChart> out = new ArrayList<>();
    JsonNode samples = figures.path("samples");
    if (samples.size() < 2) {
      return out;
    }
    double[] edges = Series.of(samples, "edgesClosed");
    out.add(SvgChart.lines("Booster memory vs edges closed", "edges closed", "MB")
        .line("RSS", edges, Series.of(samples, "rssMb"))
        .line("NMT committed", edges, Series.of(samples, "nmtCommittedMb"))
        .line("RSS outside NMT", edges, Series.of(samples, "outsideNmtMb"))
        .line("Java heap live (after full GC)", edges, Series.of(samples, "heapLiveMb")));
    List<String> top = new ArrayList<>();
    figures.path("nmtGrowthMbPer1000Edges").fieldNames().forEachRemaining(top::add);
    if (!top.isEmpty()) {
      SvgChart nmt = SvgChart.lines("NMT categories that grew (committed)", "edges closed", "MB");
      top.stream().limit(5).forEach(c -> nmt.line(c, edges, nmtMb(samples, c)));
      out.add(nmt);
    }
    out.add(SvgChart.lines("Edges and the booster's open peer links over time", "s", "count")
        .line("edges closed", Series.of(samples, "seconds"), edges)
        .line("booster links open", Series.of(samples, "seconds"), Series.of(samples, "boosterLinks")));
    return out;
  }

  private static List<String> categories(JsonNode samples) {
    List<String> out = new ArrayList<>();
    samples.get(samples.size() - 1).path("nmtKb").fieldNames().forEachRemaining(out::add);
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private static double[] nmtMb(JsonNode samples, String category) {
    double[] out = new double[samples.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = samples.get(i).path("nmtKb").path(category);
      out[i] = v.isNumber() ? v.asDouble() / 1024 : Double.NaN;
    }
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}

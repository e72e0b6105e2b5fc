package dev.waterfall.loadtest.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The soak report's slopes and charts, drawn from its samples (also when re-rendering a page from
 * the JSON).
 */
final class SoakReport {
  /** NMT categories growing less than this per 1,000 edges are left out of the list (noise). */
  private static final double NMT_NOISE_MB = 0.01;

  private SoakReport() {}

  /**
   * Growth per 1,000 edges after the warm-up, of each memory figure and each NMT category that
   * grew: of the first booster process (the only one without recycling), whose samples are one
   * JVM's.
   */
  static void putSlopes(ObjectNode figures, double warmupShare) {
    JsonNode samples = ofProcess(figures.path("samples"), 0);
    if (samples.size() == 0) {
      return;
    }
    double[] edges = Series.of(samples, "edgesClosed");
    for (String[] f :
        new String[][] {
          {"rssMb", "rssMbPer1000Edges"},
          {"rssAnonMb", "rssAnonMbPer1000Edges"},
          {"heapLiveMb", "heapMbPer1000Edges"},
          {"nmtCommittedMb", "nmtMbPer1000Edges"},
          {"outsideNmtMb", "outsideNmtMbPer1000Edges"}
        }) {
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
    grew.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
  }

  /**
   * The host across recycles ({@link HostRss}): its RSS per 1,000 edges after warm-up over every
   * process's samples, its peak, and each process's span, peak, growth and own slope.
   */
  static void putHost(ObjectNode figures, double warmupShare) {
    JsonNode samples = figures.path("samples");
    if (samples.size() == 0) {
      return;
    }
    HostRss host =
        HostRss.of(
            processes(samples),
            Series.of(samples, "edgesClosed"),
            Series.of(samples, "rssMb"),
            warmupShare);
    if (!Double.isNaN(host.host().perThousand())) {
      figures.put("hostRssMbPer1000Edges", round(host.host().perThousand()));
    }
    figures.put("hostFittedSamples", host.host().points());
    figures.put("rssPeakMb", round(host.peakMb()));
    ArrayNode arr = figures.putArray("processes");
    for (HostRss.Process p : host.processes()) {
      ObjectNode o = arr.addObject();
      o.put("process", p.index());
      o.put("samples", p.samples());
      o.put("edgesClosedFrom", (long) p.edgesFrom());
      o.put("edgesClosedTo", (long) p.edgesTo());
      o.put("rssFedMb", round(p.rssFirstMb()));
      o.put("rssPeakMb", round(p.rssPeakMb()));
      o.put("rssLastMb", round(p.rssLastMb()));
      o.put("rssGrowthMb", round(p.growthMb()));
      if (!Double.isNaN(p.fit().perThousand())) {
        o.put("rssMbPer1000Edges", round(p.fit().perThousand()));
      }
    }
  }

  static List<SvgChart> charts(ObjectNode figures) {
    List<SvgChart> out = new ArrayList<>();
    JsonNode samples = figures.path("samples");
    if (samples.size() < 2) {
      return out;
    }
    double[] edges = Series.of(samples, "edgesClosed");
    int[] process = processes(samples);
    if (process[process.length - 1] > 0) { // recycled: the host's sawtooth, one line a process
      SvgChart host =
          SvgChart.lines(
              "Booster host RSS vs edges closed, across recycles (one line a process)",
              "edges closed",
              "MB");
      for (int p = 0; p <= process[process.length - 1]; p++) {
        double[] rss = Series.of(samples, "rssMb");
        for (int i = 0; i < rss.length; i++) {
          rss[i] = process[i] == p ? rss[i] : Double.NaN;
        }
        host.line("RSS, process " + p, edges, rss);
      }
      out.add(host);
    }
    out.add(
        SvgChart.lines("Booster memory vs edges closed", "edges closed", "MB")
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
    out.add(
        SvgChart.lines("Edges and the booster's open peer links over time", "s", "count")
            .line("edges closed", Series.of(samples, "seconds"), edges)
            .line(
                "booster links open",
                Series.of(samples, "seconds"),
                Series.of(samples, "boosterLinks")));
    return out;
  }

  /** Each sample's booster process (0 where unrecorded: a report from before recycling). */
  private static int[] processes(JsonNode samples) {
    int[] out = new int[samples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = samples.get(i).path("process").asInt(0);
    }
    return out;
  }

  private static ArrayNode ofProcess(JsonNode samples, int process) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    samples.forEach(
        x -> {
          if (x.path("process").asInt(0) == process) {
            out.add(x);
          }
        });
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

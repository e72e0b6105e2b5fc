package dev.waterfall.loadtest.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.PlaywrightCheck;
import dev.waterfall.loadtest.kit.processes.BoosterProcess;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.testkit.chromium.Chromium;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Realtime mode (media tracks down the tree) in real headless Chromium with a real booster:
 * glass-to-glass latency by depth, and the CPU one forwarded track costs a page and a booster. The
 * publisher page publishes rt/clock.js's picture of its wall clock; every page reads the clock back
 * from each frame it shows (one machine, one clock).
 *
 * <ol>
 *   <li>pages: a chain (stream maxChildren 1) of pages at depths 1..N; latency by depth, and each
 *       forwarding page's encode time per child (getStats totalEncodeTime: one encode per child
 *       edge);
 *   <li>booster: a stream with maxChildren 3 where a booster ({@code waterfall boost}, its own JVM)
 *       and two pages take the publisher's slots, so the next pages land under the booster
 *       (boosters first among parents); the booster's process CPU with 1 child, then with 3 (the
 *       difference per added child is what a forwarded track costs it), and latency at depth 2
 *       through the booster and, side by side, through a page.
 * </ol>
 */
@Command(
    name = "realtime",
    mixinStandardHelpOptions = true,
    description =
        "Realtime mode: glass-to-glass latency by depth through pages and a booster, CPU per forwarded"
            + " track in a page and in a booster (run through ./waterfall: it makes the network namespace).")
public final class RealtimeScenario extends Scenario {
  private static final double TARGET_DEPTH3_P50_MS = 400;

  @Setting("chainDepth")
  @Option(
      names = "--depth",
      defaultValue = "3",
      description = "Pages in the chain, depths 1..N (default ${DEFAULT-VALUE}).")
  int depth;

  @Setting(recorded = false)
  @Option(
      names = "--fps",
      defaultValue = "30",
      description = "Frame rate of the clock picture, 320×240 (default ${DEFAULT-VALUE}).")
  int fps;

  @Setting("bitrateKbps")
  @Option(
      names = "--bitrate",
      defaultValue = "1000",
      description = "The streams' bitrate: each edge's video cap, kbps (default ${DEFAULT-VALUE}).")
  int kbps;

  @Setting("windowSeconds")
  @Option(
      names = "--seconds",
      defaultValue = "15",
      description =
          "Each measured window: latency sampling, and the booster's CPU with 1 and with 3 children (default ${DEFAULT-VALUE}).")
  int seconds;

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the coordinator's INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "realtime";
  }

  @Override
  protected void validate() {
    if (depth < 3 || depth > 6) {
      throw new IllegalArgumentException(
          "--depth must be 3..6 (the target is at depth 3), not " + depth);
    }
    if (fps < 5 || fps > 60 || seconds < 5 || kbps < 100) {
      throw new IllegalArgumentException("--fps 5..60, --seconds ≥ 5 and --bitrate ≥ 100 kbps");
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    List<SvgChart> charts = new ArrayList<>();
    JsonNode pages = figures.path("glassToGlassByDepth");
    List<String> depths = Series.keys(pages);
    if (!depths.isEmpty()) {
      charts.add(
          SvgChart.bars(
                  "Glass-to-glass latency by depth, pages only (depth 0: the publisher's preview)",
                  "depth",
                  "ms",
                  depths)
              .bar("p50", Series.byKey(pages, depths, "p50Ms"))
              .bar("p90", Series.byKey(pages, depths, "p90Ms"))
              .bar("max", Series.byKey(pages, depths, "maxMs")));
    }
    JsonNode boosted = figures.path("boosterPhaseGlassToGlass");
    List<String> where = Series.keys(boosted);
    if (!where.isEmpty()) {
      charts.add(
          SvgChart.bars(
                  "Glass-to-glass latency through a booster and through a page, side by side",
                  "",
                  "ms",
                  where)
              .bar("p50", Series.byKey(boosted, where, "p50Ms"))
              .bar("p90", Series.byKey(boosted, where, "p90Ms")));
    }
    JsonNode cpu = figures.path("cpuPerForwardedTrack");
    if (cpu.size() > 0) {
      List<String> who = List.of("pagePercent", "boosterPercent");
      charts.add(
          SvgChart.bars(
                  "CPU per forwarded track (320×240 clock picture, "
                      + figures.path("bitrateKbps").asText("?")
                      + " kbps cap)",
                  "",
                  "% of one core",
                  List.of("page (encode time)", "booster (process, per added child)"))
              .bar("% of a core", Series.byKey(cpu, who)));
    }
    return charts;
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    PlaywrightCheck.require();
    ObjectNode settings = report.settings();
    settings.put(
        "picture",
        "rt/clock.js canvas, 320x240 at " + fps + " fps (the publisher's wall clock in blocks)");
    settings.put(
        "latency",
        "per frame shown (requestVideoFrameCallback): the page's Date.now() minus the clock read"
            + " from the frame; depth 0 is the publisher's own preview (capture to screen, no network)");
    settings.put(
        "pageCpu",
        "getStats totalEncodeTime of each child edge's outbound video over the window, per child"
            + " (the browser decodes once per page and encodes once per child)");
    settings.put(
        "boosterCpu",
        "utime+stime of the booster's own JVM (waterfall boost) from /proc over a window with"
            + " 1 child, then with 3; (3 − 1) / 2 per added child");
    ObjectNode figures = report.figures();
    figures.put("bitrateKbps", kbps);
    figures.put("maxDepth", depth);
    try (RtRig rig = new RtRig(verbose);
        Chromium chromium = Chromium.launch(Chromium.installed(), List.of())) {
      settings.put(
          "browser",
          "headless Chromium " + chromium.browser.version() + ", one process, a context per page");
      int viewers = chain(rig, chromium, report, progress);
      if (deadline.passed()) {
        report.incomplete("time budget spent before the booster phase");
      } else {
        viewers = Math.max(viewers, booster(rig, chromium, report, progress));
      }
      figures.put("viewers", viewers);
    }
    JsonNode d3 = figures.path("glassToGlassByDepth").path("3").path("p50Ms");
    if (d3.isNumber()) {
      report.target(
          Target.atMost(
              "glass-to-glass p50 at depth 3 (pages)", d3.asDouble(), TARGET_DEPTH3_P50_MS, "ms"));
    }
    report.note(
        "one machine: every page, the booster and the coordinator share its "
            + Runtime.getRuntime().availableProcessors()
            + " cores; latency includes each hop's decode and re-encode and the jitter buffers,"
            + " not a real network's delay");
  }

  /** Phase 1: publisher → page → page → … (maxChildren 1). Returns the pages it opened. */
  private int chain(RtRig rig, Chromium chromium, Report report, Progress progress)
      throws Exception {
    progress.phase("pages: publisher + a chain of " + depth, depth + 1);
    String stream = "rt-chain";
    String key = rig.realtimeStream(stream, 1, kbps);
    List<RtPage> pages = new ArrayList<>();
    try {
      pages.add(RtPage.publisher(chromium.browser, rig.base, stream, key, fps));
      progress.step();
      for (int d = 1; d <= depth; d++) {
        pages.add(
            RtPage.viewer(
                chromium.browser, rig.base, stream, "", "depth " + d, "s => s.depth === " + d));
        progress.step();
      }
      Thread.sleep(3000); // every edge's rate control settles
      progress.phase("pages: measuring", 1);
      List<Window> w = measure(pages, seconds);
      ObjectNode byDepth = report.figures().putObject("glassToGlassByDepth");
      ArrayNode forwarding = report.figures().putArray("pageForwarding");
      double encodePerChild = 0;
      int forwarders = 0;
      for (int d = 0; d < pages.size(); d++) {
        byDepth.set(String.valueOf(d), summary(w.get(d).samples));
        ObjectNode n = forwarding.addObject();
        n.put("depth", d);
        n.put("children", w.get(d).children);
        n.put("decodeMsPerSecond", round(w.get(d).decodeMsPerSecond));
        n.put("framesDecodedPerSecond", round(w.get(d).framesDecodedPerSecond));
        n.put("encodeMsPerSecondPerChild", round(w.get(d).encodeMsPerSecondPerChild));
        n.put("framesEncodedPerSecondPerChild", round(w.get(d).framesEncodedPerSecondPerChild));
        if (d > 0 && w.get(d).children > 0) {
          encodePerChild += w.get(d).encodeMsPerSecondPerChild;
          forwarders++;
        }
      }
      if (forwarders > 0) {
        // ms of encoding per second of video = thousandths of a core; / 10 = % of a core
        report
            .figures()
            .putObject("cpuPerForwardedTrack")
            .put("pagePercent", round(encodePerChild / forwarders / 10));
      }
      progress.step();
      return depth;
    } finally {
      pages.forEach(RtPage::close);
    }
  }

  /**
   * Phase 2: the booster. maxChildren 3: the booster and pages f1, f2 fill the publisher's slots;
   * c1 lands under the booster (boosters first among parents; window with 1 child), c2 and c3 too
   * (window with 3), and g under f1: depth 2 through the booster and through a page, measured side
   * by side.
   */
  private int booster(RtRig rig, Chromium chromium, Report report, Progress progress)
      throws Exception {
    progress.phase("booster: publisher, booster, 2 pages, 3 children, 1 more", 8);
    String stream = "rt-booster";
    String key = rig.realtimeStream(stream, 3, kbps);
    List<RtPage> pages = new ArrayList<>();
    ObjectNode figures = report.figures();
    try (BoosterProcess booster = startBooster(rig, stream, pages, chromium, key, progress)) {
      report.settings().put("boosterLog", booster.log.toString());
      List<RtPage> depth1 = new ArrayList<>();
      for (int i = 1; i <= 2; i++) {
        depth1.add(
            RtPage.viewer(chromium.browser, rig.base, stream, "", "f" + i, "s => s.depth === 1"));
        progress.step();
      }
      pages.addAll(depth1);
      String underBooster = "s => s.parentId === '" + booster.id + "'";
      List<RtPage> children = new ArrayList<>();
      children.add(RtPage.viewer(chromium.browser, rig.base, stream, "", "c1", underBooster));
      pages.addAll(children);
      progress.step();
      Thread.sleep(3000);
      progress.phase("booster: CPU with 1 child", 1);
      double one = cpuPercent(booster, seconds);
      progress.step();
      for (int i = 2; i <= 3; i++) {
        RtPage c = RtPage.viewer(chromium.browser, rig.base, stream, "", "c" + i, underBooster);
        children.add(c);
        pages.add(c);
        progress.step();
      }
      String f1 = depth1.get(0).nodeId();
      RtPage g =
          RtPage.viewer(
              chromium.browser, rig.base, stream, "", "g", "s => s.parentId === '" + f1 + "'");
      pages.add(g);
      progress.step();
      Thread.sleep(3000);
      progress.phase("booster: CPU with 3 children, latency", 1);
      double framesSentBefore = booster.metric("waterfall_relay_realtime_frames_sent_total");
      List<RtPage> measured = new ArrayList<>(List.of(depth1.get(0), g));
      measured.addAll(children);
      for (RtPage p : measured) {
        p.startLatency(seconds * 1000);
      }
      double three = cpuPercent(booster, seconds);
      double framesSent =
          booster.metric("waterfall_relay_realtime_frames_sent_total") - framesSentBefore;
      ObjectNode through = figures.putObject("boosterPhaseGlassToGlass");
      through.set("depth 1 (page)", summary(depth1.get(0).latency()));
      List<Double> viaBooster = new ArrayList<>();
      for (RtPage c : children) {
        viaBooster.addAll(c.latency());
      }
      through.set("depth 2 via booster", summary(viaBooster));
      through.set("depth 2 via page", summary(g.latency()));
      ObjectNode b = figures.putObject("booster");
      b.put("cpuPercentOneChild", round(one));
      b.put("cpuPercentThreeChildren", round(three));
      b.put("framesEncodedPerSecondThreeChildren", round(framesSent / seconds));
      b.put("childrenOnMetrics", booster.metric("waterfall_relay_children"));
      figures.with("cpuPerForwardedTrack").put("boosterPercent", round((three - one) / 2));
      progress.step();
      return pages.size() - 1;
    } finally {
      pages.forEach(RtPage::close);
    }
  }

  private BoosterProcess startBooster(
      RtRig rig,
      String stream,
      List<RtPage> pages,
      Chromium chromium,
      String key,
      Progress progress)
      throws Exception {
    pages.add(RtPage.publisher(chromium.browser, rig.base, stream, key, fps));
    progress.step();
    BoosterProcess booster =
        BoosterProcess.start("realtime", List.of(), rig.base, stream, rig.boosterToken(), true);
    long until = System.currentTimeMillis() + 30_000;
    while (!(booster.metric("waterfall_relay_realtime_frames_from_parent_total") > 0)) {
      if (System.currentTimeMillis() > until) {
        booster.close();
        throw new IllegalStateException(
            "the booster received no video in 30 s; its log: " + booster.log);
      }
      Thread.sleep(200);
    }
    progress.step();
    return booster;
  }

  /** The booster process's CPU over the next {@code seconds}, % of one core. */
  private static double cpuPercent(BoosterProcess booster, int seconds)
      throws InterruptedException {
    double before = booster.cpuSeconds();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    return (booster.cpuSeconds() - before) / ((System.nanoTime() - t0) / 1e9) * 100;
  }

  /** What one page did over a window. */
  private record Window(
      List<Double> samples,
      int children,
      double decodeMsPerSecond,
      double framesDecodedPerSecond,
      double encodeMsPerSecondPerChild,
      double framesEncodedPerSecondPerChild) {}

  /**
   * Samples latency in every page at once for {@code seconds}, with their codec counters around it.
   */
  private static List<Window> measure(List<RtPage> pages, int seconds) {
    List<Map<String, Object>> before = new ArrayList<>();
    long t0 = System.nanoTime();
    for (RtPage p : pages) {
      p.startLatency(seconds * 1000);
      before.add(p.codec());
    }
    List<List<Double>> samples = new ArrayList<>();
    for (RtPage p : pages) {
      samples.add(p.latency()); // waits for the page's measurement to end
    }
    double s = (System.nanoTime() - t0) / 1e9;
    List<Window> out = new ArrayList<>();
    for (int i = 0; i < pages.size(); i++) {
      Map<String, Object> a = pages.get(i).codec();
      Map<String, Object> b = before.get(i);
      int children = (int) num(a, "children");
      double perChild = children == 0 ? 0 : 1.0 / children;
      out.add(
          new Window(
              samples.get(i),
              children,
              (num(a, "decodeS") - num(b, "decodeS")) * 1000 / s,
              (num(a, "framesDecoded") - num(b, "framesDecoded")) / s,
              (num(a, "encodeS") - num(b, "encodeS")) * 1000 / s * perChild,
              (num(a, "framesEncoded") - num(b, "framesEncoded")) / s * perChild));
    }
    return out;
  }

  private static ObjectNode summary(List<Double> millis) {
    Histogram h = Latency.histogram();
    for (double ms : millis) {
      h.recordValue(Math.max(0, Math.round(ms * 1_000_000)));
    }
    return Latency.summary(h, Latency.Unit.MILLIS);
  }

  private static double num(Map<String, Object> m, String k) {
    return m.get(k) instanceof Number n ? n.doubleValue() : 0;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}

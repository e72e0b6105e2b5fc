package dev.waterfall.loadtest.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.BrowserRig;
import dev.waterfall.loadtest.kit.chromium.ClockReading;
import dev.waterfall.loadtest.kit.chromium.PlaywrightCheck;
import dev.waterfall.loadtest.kit.chromium.Probe;
import dev.waterfall.loadtest.kit.chromium.ViewerPage;
import dev.waterfall.loadtest.realtime.RtPage;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.source.FfmpegCommand;
import dev.waterfall.testkit.chromium.Chromium;
import dev.waterfall.testkit.chromium.WhipClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Glass-to-glass latency by depth for every delivery mode, side by side in one run, as the viewer
 * sees it: the picture carries the sender's wall clock (rt/clock.js's blocks) and each page reads
 * it back off every frame it shows with clock.js's own reader (one machine, one clock).
 *
 * <ol>
 *   <li>classic HLS through the tree: an origin taking the clock's 2 s segments by PUT (ffmpeg with
 *       the product's arguments), a stream with one child a node, so pages chain at depths 1..3;
 *   <li>LL-HLS through the tree ({@code ?ll=tree}): an origin cutting parts from ffmpeg's
 *       fragmented MP4 of the clock, a chain of three pages, and beside them in the same window
 *       plain LL-HLS from the origin over HTTP ({@code ?ll=1&p2p=0});
 *   <li>realtime: the browser publisher (clock.js's canvas) and a chain of three pages;
 *   <li>realtime published over WHIP (an OBS-style client in a page sending the same canvas, H.264)
 *       to a Java origin, and a chain of three pages.
 * </ol>
 *
 * Phases run one after another, each origin stopped before the next starts, so the modes do not
 * share the 2 cores with each other.
 */
@Command(
    name = "latency",
    mixinStandardHelpOptions = true,
    description =
        "Glass-to-glass latency by depth for classic HLS, LL-HLS through the tree, plain LL-HLS and"
            + " realtime (browser and WHIP publishers), read off a clock burnt into the picture (run through ./waterfall: it makes"
            + " the network namespace).")
public final class LatencyScenario extends Scenario {
  static final String CLASSIC = "classic HLS (tree)";
  static final String LL_TREE = "LL-HLS (tree, ?ll=tree)";
  static final String LL_PLAIN = "LL-HLS (origin HTTP, ?ll=1&p2p=0)";
  static final String REALTIME = "realtime (browser publisher)";
  static final String WHIP = "realtime (WHIP publisher)";
  static final String HTTP = "http";
  private static final double TARGET_LL_P50_MS = 2000;
  private static final double TARGET_LL_P95_MS = 3000;
  private static final double TARGET_TREE_OVER_PLAIN_MS = 150;
  private static final double TARGET_WHIP_OVER_BROWSER = 1.2;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Setting("chainDepth")
  @Option(
      names = "--depth",
      defaultValue = "3",
      description = "Pages in each chain, depths 1..N (default ${DEFAULT-VALUE}).")
  int depth;

  @Setting("windowSeconds")
  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "Each mode's measured window (default ${DEFAULT-VALUE}).")
  int seconds;

  @Setting(recorded = false)
  @Option(
      names = "--fps",
      defaultValue = "30",
      description = "Frame rate of the clock picture, 320×240 (default ${DEFAULT-VALUE}).")
  int fps;

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the coordinator's and relays' INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "latency";
  }

  @Override
  protected void validate() {
    if (depth < 1 || depth > 5) {
      throw new IllegalArgumentException("--depth must be 1..5, not " + depth);
    }
    if (seconds < 5 || seconds > 120 || fps != 30) {
      throw new IllegalArgumentException(
          "--seconds 5..120; --fps 30 (the LL encode's frame rate and parts are cut for 30)");
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    JsonNode table = figures.path("byModeAndDepth");
    List<String> cells = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    List<Double> p95 = new ArrayList<>();
    table
        .fieldNames()
        .forEachRemaining(
            mode ->
                table
                    .path(mode)
                    .fieldNames()
                    .forEachRemaining(
                        d -> {
                          JsonNode g = table.path(mode).path(d).path("glassToGlass");
                          cells.add(mode + " · " + d);
                          p50.add(g.path("p50Ms").asDouble(Double.NaN));
                          p95.add(g.path("p95Ms").asDouble(Double.NaN));
                        }));
    if (cells.isEmpty()) {
      return List.of();
    }
    return List.of(
        SvgChart.bars("Glass-to-glass by mode and depth", "", "ms", cells)
            .bar("p50", p50.stream().mapToDouble(Double::doubleValue).toArray())
            .bar("p95", p95.stream().mapToDouble(Double::doubleValue).toArray()));
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    PlaywrightCheck.require();
    FfmpegCommand.find(System.getenv("PATH")); // its install hint, before anything starts
    Path logs = Files.createTempDirectory("waterfall-latency-");
    ObjectNode settings = report.settings();
    settings.put(
        "picture",
        "rt/clock.js's 48 blocks of the sender's Date.now(), 320x240 at "
            + fps
            + " fps: HLS modes from raw frames piped to ffmpeg (the product's encode arguments),"
            + " realtime from the browser publisher's canvas");
    settings.put(
        "latency",
        "per frame a page shows (requestVideoFrameCallback): the page's Date.now() minus the clock"
            + " read off the frame by rt/clock.js's reader");
    // kept (and named in the report) only when the run did not finish
    settings.put("ffmpegLogs", logs.toString());
    boolean finished = false;
    List<PageFigures> all = new ArrayList<>();
    ArrayNode pages = report.figures().putArray("pages");
    try (LatencyRig rig = new LatencyRig(verbose, fps, logs);
        Chromium chromium = Chromium.launch(Chromium.installed(), Chromium.FAKE_MEDIA)) {
      settings.put(
          "browser",
          "headless Chromium " + chromium.browser.version() + ", one process, a context per page");
      all.addAll(classic(rig, chromium, progress));
      table(report, all, pages);
      rig.endPhase();
      if (deadline.passed()) {
        report.incomplete("time budget spent before LL-HLS");
        return;
      }
      all.addAll(lowLatency(rig, chromium, progress));
      table(report, all, pages);
      rig.endPhase();
      if (deadline.passed()) {
        report.incomplete("time budget spent before realtime");
        return;
      }
      all.addAll(realtime(rig, chromium, progress));
      table(report, all, pages);
      if (deadline.passed()) {
        report.incomplete("time budget spent before WHIP");
        return;
      }
      all.addAll(whip(rig, chromium, progress));
      table(report, all, pages);
      rig.endPhase();
      finished = true;
    } finally {
      if (finished) {
        deleteLogs(logs);
        settings.remove("ffmpegLogs");
      }
      targets(report);
      report.note(
          "one machine: the origins, ffmpeg, every page and the coordinator share its "
              + Runtime.getRuntime().availableProcessors()
              + " cores; no network delay; modes measured one after another, each its own window");
    }
  }

  private List<PageFigures> classic(LatencyRig rig, Chromium chromium, Progress progress)
      throws Exception {
    progress.phase("classic HLS: origin + chain of " + depth, depth + 2);
    String stream = "g2g-classic";
    Relay origin = rig.classicOrigin(stream, rig.stream(stream, 1, null));
    BrowserRig.await(
        () -> BrowserRig.held(origin) >= 3,
        30_000,
        "the classic origin took no 3 segments from ffmpeg in 30 s");
    progress.step();
    List<Measured> pages = new ArrayList<>();
    try {
      for (int d = 1; d <= depth; d++) {
        pages.add(open(chromium, rig.base + "/watch/" + stream, CLASSIC, "classic d" + d, true));
        progress.step();
      }
      awaitPlaying(pages, "w => w.state.startedAt !== null");
      return measure(pages, progress);
    } finally {
      pages.forEach(p -> p.page.close());
    }
  }

  private List<PageFigures> lowLatency(LatencyRig rig, Chromium chromium, Progress progress)
      throws Exception {
    progress.phase("LL-HLS: origin + chain of " + depth + " + 1 plain", depth + 3);
    String stream = "g2g-ll";
    Relay origin = rig.llOrigin(stream, rig.stream(stream, 1, null));
    String playlist = "http://127.0.0.1:" + origin.httpPort() + "/ll/" + stream + "/index.m3u8";
    BrowserRig.await(
        () -> BrowserRig.held(origin) >= 3 && status(playlist) == 200,
        30_000,
        "the LL origin served no playlist in 30 s");
    progress.step();
    List<Measured> pages = new ArrayList<>();
    try {
      for (int d = 1; d <= depth; d++) {
        pages.add(
            open(chromium, rig.base + "/watch/" + stream + "?ll=tree", LL_TREE, "ll d" + d, true));
        progress.step();
      }
      // opened last, as in LlPagesIT: its first frame is not taken on a quieter machine
      pages.add(
          open(
              chromium,
              rig.base + "/watch/" + stream + "?ll=1&p2p=0",
              LL_PLAIN,
              "ll plain",
              false));
      progress.step();
      awaitPlaying(pages, "w => w.state.startedAt !== null");
      return measure(pages, progress);
    } finally {
      pages.forEach(p -> p.page.close());
    }
  }

  private List<PageFigures> realtime(LatencyRig rig, Chromium chromium, Progress progress)
      throws Exception {
    progress.phase("realtime: browser publisher + chain of " + depth, depth + 1);
    String stream = "g2g-rt";
    String key = rig.stream(stream, 1, "realtime");
    try (RtPage publisher = RtPage.publisher(chromium.browser, rig.base, stream, key, fps)) {
      progress.step();
      return realtimeChain(rig, chromium, stream, REALTIME, progress);
    }
  }

  /** The same picture published over WHIP as OBS does (H.264), to a Java origin. */
  private List<PageFigures> whip(LatencyRig rig, Chromium chromium, Progress progress)
      throws Exception {
    progress.phase("realtime: WHIP publisher + chain of " + depth, depth + 1);
    String stream = "g2g-whip";
    String key = rig.stream(stream, 1, "realtime");
    Relay origin = rig.whipOrigin(stream, key);
    WhipClient obs = new WhipClient(chromium, rig.base);
    try {
      Map<String, Object> r =
          obs.publish(
              "http://127.0.0.1:" + origin.httpPort() + "/whip/" + stream, key, "H264", fps);
      if (!Integer.valueOf(201).equals(r.get("status"))) {
        throw new IllegalStateException("WHIP publish refused: " + r);
      }
      progress.step();
      return realtimeChain(rig, chromium, stream, WHIP, progress);
    } finally {
      obs.close();
    }
  }

  private List<PageFigures> realtimeChain(
      LatencyRig rig, Chromium chromium, String stream, String mode, Progress progress)
      throws Exception {
    List<Measured> pages = new ArrayList<>();
    try {
      for (int d = 1; d <= depth; d++) {
        Measured p = open(chromium, rig.base + "/watch/" + stream, mode, "rt d" + d, false);
        pages.add(p);
        if (!p.page.await("w => w.state.mode === 'realtime' && w.state.depth === " + d, 30_000)) {
          throw new IllegalStateException(mode + " page " + d + ": " + p.page.probe());
        }
        progress.step();
      }
      awaitPlaying(pages, "w => w.state.startedAt !== null && w.state.framesDecoded > 10");
      return measure(pages, progress);
    } finally {
      pages.forEach(p -> p.page.close());
    }
  }

  /** A page; {@code joins}: wait until it holds its place in the tree, so the next one chains. */
  private static Measured open(
      Chromium chromium, String url, String mode, String label, boolean joins) {
    ViewerPage page = ViewerPage.open(chromium.browser, url, label);
    if (joins
        && !page.await("w => w.state.nodeId !== null && w.state.nodeId !== undefined", 30_000)) {
      throw new IllegalStateException(label + " joined no tree in 30 s: " + page.probe());
    }
    return new Measured(mode, page);
  }

  private static void awaitPlaying(List<Measured> pages, String predicate) {
    for (Measured p : pages) {
      if (!p.page.await(predicate, 40_000)) {
        throw new IllegalStateException(p.page.label + " did not play in 40 s: " + p.page.probe());
      }
    }
  }

  /**
   * A few seconds for the links to settle (the first parts come over HTTP while they form), then
   * every page's clock over one window, and its counters around it.
   */
  private List<PageFigures> measure(List<Measured> pages, Progress progress) throws Exception {
    Thread.sleep(4000);
    progress.phase("measuring " + seconds + " s", 1);
    List<Probe> before = new ArrayList<>();
    for (Measured p : pages) {
      before.add(p.page.probe());
      p.page.startClock(seconds * 1000);
    }
    List<ClockReading> read = new ArrayList<>();
    for (Measured p : pages) {
      read.add(p.page.clock()); // waits for the window to end
    }
    Thread.sleep(300); // one more state refresh (every 250 ms)
    List<Starts.Page> starts = new ArrayList<>();
    for (Measured p : pages) {
      Map<String, Object> t = p.page.startAndStalls();
      starts.add(
          new Starts.Page(
              ((Number) t.get("openedAt")).longValue(),
              t.get("startedAt") instanceof Number n ? n.longValue() : null,
              ((List<?>) t.get("stalls")).stream().map(x -> ((Number) x).longValue()).toList()));
    }
    List<Integer> whileStarting = Starts.whileAnotherStarted(starts, System.currentTimeMillis());
    List<PageFigures> out = new ArrayList<>();
    for (int i = 0; i < pages.size(); i++) {
      Measured m = pages.get(i);
      Probe a = m.page.probe();
      Probe b = before.get(i);
      boolean tree = a.depth() != null || "realtime".equals(a.mode());
      String at = tree ? String.valueOf(depthOf(m.page)) : HTTP;
      boolean hasHttpPath = !"realtime".equals(a.mode());
      out.add(
          new PageFigures(
              m.mode,
              at,
              read.get(i).samples(),
              read.get(i).unreadable(),
              a.firstFrameMs() != null ? a.firstFrameMs() : a.startedAtMs(),
              a.stalls(),
              a.stalls() - b.stalls(),
              hasHttpPath ? a.bytesFromParent() - b.bytesFromParent() : -1,
              hasHttpPath ? a.bytesByFallback() - b.bytesByFallback() : 0,
              m.page.hlsLatency().get("targetMs") instanceof Number n ? n.doubleValue() : null,
              whileStarting.get(i)));
    }
    progress.step();
    return out;
  }

  /** The page's depth as its node (HLS) or its realtime state says. */
  private static Object depthOf(ViewerPage page) {
    Probe p = page.probe();
    if (p.depth() != null) {
      return p.depth();
    }
    return page.stateValue("depth") instanceof Number n ? n.intValue() : "?";
  }

  private static void table(Report report, List<PageFigures> all, ArrayNode pages) {
    report.figures().set("byModeAndDepth", DepthTable.of(all));
    pages.removeAll();
    for (PageFigures p : all) {
      ObjectNode o = pages.addObject();
      o.put("mode", p.mode());
      o.put("depth", p.depth());
      o.set("glassToGlass", dev.waterfall.loadtest.kit.chromium.Spread.summary(p.glassToGlassMs()));
      o.put("unreadableFrames", p.unreadable());
      o.put("stallsAfterStart", p.stallsAfterStart());
      o.put("stallsInWindow", p.stallsInWindow());
      o.put("stallsWhileAnotherPageStarted", p.stallsWhileAnotherStarted());
      if (p.firstFrameMs() != null) {
        o.put("firstFrameMs", Math.round(p.firstFrameMs()));
      }
      if (p.hlsTargetMs() != null) {
        o.put("hlsTargetLatencyMs", Math.round(p.hlsTargetMs()));
      }
    }
  }

  private void targets(Report report) {
    ObjectNode table = (ObjectNode) report.figures().path("byModeAndDepth");
    if (table.isMissingNode() || !table.isObject()) {
      return;
    }
    String d = String.valueOf(depth);
    OptionalDouble p50 = DepthTable.at(table, LL_TREE, d, "p50Ms");
    OptionalDouble p95 = DepthTable.at(table, LL_TREE, d, "p95Ms");
    OptionalDouble plain = DepthTable.at(table, LL_PLAIN, HTTP, "p50Ms");
    if (p50.isPresent()) {
      report.target(
          Target.atMost(
              "LL-HLS through the tree, glass-to-glass p50 at depth " + d,
              p50.getAsDouble(),
              TARGET_LL_P50_MS,
              "ms"));
    }
    if (p95.isPresent()) {
      report.target(
          Target.atMost(
              "LL-HLS through the tree, glass-to-glass p95 at depth " + d,
              p95.getAsDouble(),
              TARGET_LL_P95_MS,
              "ms"));
    }
    OptionalDouble rt = DepthTable.at(table, REALTIME, d, "p50Ms");
    OptionalDouble whip = DepthTable.at(table, WHIP, d, "p50Ms");
    if (rt.isPresent() && whip.isPresent() && rt.getAsDouble() > 0) {
      report.target(
          Target.atMost(
              "realtime glass-to-glass p50 at depth " + d + ", WHIP over the browser publisher",
              Math.round(whip.getAsDouble() / rt.getAsDouble() * 100) / 100.0,
              TARGET_WHIP_OVER_BROWSER,
              "×"));
    }
    if (p50.isPresent() && plain.isPresent()) {
      double over = p50.getAsDouble() - plain.getAsDouble();
      report.figures().put("llTreeOverPlainP50Ms", Math.round(over));
      report.target(
          Target.atMost(
              "what the tree adds to LL-HLS at depth " + d + " (p50, over plain LL-HLS)",
              over,
              TARGET_TREE_OVER_PLAIN_MS,
              "ms"));
    }
  }

  private static void deleteLogs(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (java.io.IOException e) {
      // a few kB left in the temp directory
    }
  }

  private static int status(String url) {
    try {
      return CLIENT
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** A page and the mode it measures. */
  private record Measured(String mode, ViewerPage page) {}
}

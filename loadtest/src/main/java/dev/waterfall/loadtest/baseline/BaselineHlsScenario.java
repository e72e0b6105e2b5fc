package dev.waterfall.loadtest.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.kit.relays.SyntheticSource;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.loadtest.run.StreamOptions;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.http.HlsPaths;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code baseline-hls}: what users run instead of Waterfall. The real relay-node origin (fed a
 * synthetic stream, no tree below it) and N plain-HLS players on 127.0.0.1, each on its own HTTP
 * connection: the origin sends every viewer its own copy. Origin egress is what the players
 * received from it (bodies: playlists and segments).
 */
@Command(
    name = "baseline-hls",
    mixinStandardHelpOptions = true,
    description =
        "N plain-HLS players pulling from the origin over HTTP: origin egress and startup time, for side-by-side ratios.")
public final class BaselineHlsScenario extends Scenario {
  static final int MAX_VIEWERS = 1000;

  @Option(
      names = "--viewers",
      defaultValue = "50",
      description = "Players (1.." + MAX_VIEWERS + ", default ${DEFAULT-VALUE}).")
  int viewers;

  @Option(
      names = "--seconds",
      defaultValue = "60",
      description = "How long they watch (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--ramp-seconds",
      defaultValue = "5",
      description = "Players start spread over this long (default ${DEFAULT-VALUE}).")
  int rampSeconds;

  @Mixin StreamOptions feed;

  @Setting(recorded = false)
  @Option(
      names = "--waterfall-report",
      paramLabel = "FILE",
      description =
          "relay-egress report to compare with (default: relay-egress.json next to this report, if there).")
  Path waterfallReport;

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the origin's INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "baseline-hls";
  }

  @Override
  protected void validate() {
    if (viewers < 1
        || viewers > MAX_VIEWERS
        || seconds < 1
        || rampSeconds < 0
        || rampSeconds >= seconds
        || feed.kbps < 1
        || feed.segmentMs < 100) {
      throw new IllegalArgumentException(
          "need 1 <= --viewers <= "
              + MAX_VIEWERS
              + ", --seconds >= 1, "
              + "0 <= --ramp-seconds < --seconds, --bitrate >= 1 and --segment-ms >= 100");
    }
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode s = report.settings();
    s.put(
        "player",
        "own HTTP/1.1 connection each (java.net.http), starts "
            + HlsViewer.START_BEHIND_EDGE
            + " segments behind the live edge, reloads the playlist every target duration (half when nothing was new)");
    s.put(
        "origin",
        "relay-node origin (Relay.startOrigin) with a synthetic source, serving /hls/ on 127.0.0.1; "
            + "no boosters or WebRTC viewers, so all its egress is HTTP to the players");
    ObjectNode figures = report.figures();
    figures.put("viewers", viewers);
    figures.put("bitrateKbps", feed.kbps);
    String stream = "baseline";
    List<HlsViewer> players = new ArrayList<>();
    long[] window = new long[2];
    try (RelayRig rig = new RelayRig(false, verbose)) {
      String key = rig.createStream(stream, 4, feed.kbps);
      SyntheticSource source =
          new SyntheticSource(
              feed.kbps, feed.segmentMs, System.currentTimeMillis() / feed.segmentMs, 11);
      figures.put("segmentBytes", source.bytesPerSegment());
      Relay origin = rig.origin(stream, key, source);
      // A player arriving at a running stream finds a backlog: wait until it could start 3 segments
      // behind.
      progress.phase("origin warming up", HlsViewer.START_BEHIND_EDGE);
      long first = -1;
      while (!deadline.passed()) {
        long newest = RelayRig.newest(origin).orElse(-1L);
        first = first < 0 && newest >= 0 ? newest : first;
        if (first >= 0 && newest - first + 1 >= HlsViewer.START_BEHIND_EDGE + 1) {
          break;
        }
        Thread.sleep(100);
      }
      URI playlist =
          URI.create("http://127.0.0.1:" + origin.httpPort() + HlsPaths.playlist(stream));
      ExecutorService threads =
          Executors.newFixedThreadPool(
              viewers,
              r -> {
                Thread t = new Thread(r, "hls-viewer");
                t.setDaemon(true);
                return t;
              });
      ExecutorService httpPool =
          Executors.newFixedThreadPool(
              4,
              r -> {
                Thread t = new Thread(r, "hls-http");
                t.setDaemon(true);
                return t;
              });
      long start = System.nanoTime();
      long until = start + seconds * 1_000_000_000L;
      progress.phase(viewers + " HLS viewers watching", seconds);
      try {
        for (int i = 0; i < viewers; i++) {
          long at = start + (rampSeconds * 1_000_000_000L * i) / viewers;
          Thread.sleep(Math.max(0, (at - System.nanoTime()) / 1_000_000));
          HttpClient client =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .executor(httpPool)
                  .connectTimeout(Duration.ofSeconds(5))
                  .build();
          HlsViewer v = new HlsViewer(client, playlist, until);
          players.add(v);
          threads.submit(v);
        }
        window[0] = start;
        long shown = 0;
        while (System.nanoTime() < until && !deadline.passed()) {
          Thread.sleep(1000);
          long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
          progress.add(elapsed - shown);
          shown = elapsed;
          progress.extra(
              String.format(
                  "%.1f MB from the origin",
                  players.stream().mapToLong(p -> p.bodyBytes).sum() / 1e6));
        }
        threads.shutdown();
        threads.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        window[1] = System.nanoTime();
      } finally {
        threads.shutdownNow();
        httpPool.shutdownNow();
      }
    }
    summarise(report, players, (window[1] - window[0]) / 1e9);
  }

  private void summarise(Report report, List<HlsViewer> players, double watchedSeconds)
      throws Exception {
    ObjectNode figures = report.figures();
    long[] bytes = players.stream().mapToLong(p -> p.bodyBytes).sorted().toArray();
    long total = Arrays.stream(bytes).sum();
    long oneCopy = bytes.length == 0 ? 0 : bytes[bytes.length / 2];
    Histogram startup = Latency.histogram();
    int late = 0;
    int segments = 0;
    long stalledNanos = 0;
    long errors = 0;
    List<String> failures = new ArrayList<>();
    for (HlsViewer p : players) {
      if (p.startupNanos >= 0) {
        startup.recordValue(p.startupNanos);
      }
      late += p.playback.late;
      segments += p.playback.segments;
      stalledNanos += p.playback.stalledNanos;
      errors += p.errors;
      if (p.failure != null) {
        failures.add(p.failure);
      }
    }
    double ratio = oneCopy == 0 ? Double.NaN : Math.round((double) total / oneCopy * 100) / 100.0;
    figures.put("originBytesSent", total);
    figures.put("oneCopyBytes", oneCopy);
    figures.put("originEgressRatio", ratio);
    figures.put(
        "originEgressMbps", Math.round(total * 8 / Math.max(1e-9, watchedSeconds) / 1e4) / 100.0);
    figures.put("offload", 0.0);
    figures.put("viewersStarted", startup.getTotalCount());
    figures.set("startup", Latency.summary(startup, Latency.Unit.MILLIS));
    figures.put("startupP50Ms", Latency.at(startup, 50, Latency.Unit.MILLIS));
    figures.put("startupP95Ms", Latency.at(startup, 95, Latency.Unit.MILLIS));
    figures.put("segmentsPlayed", segments);
    figures.put("stalls", late);
    figures.put("stalledSeconds", Math.round(stalledNanos / 1e7) / 100.0);
    figures.put(
        "continuity",
        segments == 0
            ? Double.NaN
            : Math.round((1 - (double) late / segments) * 10_000) / 10_000.0);
    figures.put("httpErrors", errors);
    figures.put("playersFailed", failures.size());
    if (!failures.isEmpty()) {
      report.note("players failed: " + failures.size() + ", first: " + failures.get(0));
    }
    report.note(
        "originEgressRatio = bytes all players received from the origin ÷ what the median player received "
            + "(one copy, playlists included) over the same run");

    // Side by side with Waterfall: the origin's egress ratio measured by relay-egress (fan-out of
    // real relays).
    JsonNode waterfall = waterfallFigures();
    double wf =
        waterfall == null ? Double.NaN : waterfall.path("originEgressRatio").asDouble(Double.NaN);
    ObjectNode vs = figures.putObject("vsWaterfall");
    if (Double.isNaN(wf)) {
      vs.put(
          "source",
          "no relay-egress report found: run ./waterfall loadtest relay-egress first (or --waterfall-report)");
    } else {
      double ofHls = Math.round(wf / ratio * 10_000) / 10_000.0;
      vs.put(
          "source",
          "relay-egress report ("
              + waterfall.path("relays").asText()
              + " relays, started "
              + waterfall.path("startedAt").asText()
              + ")");
      vs.put("waterfallOriginEgressRatio", wf);
      vs.put("hlsOriginEgressRatio", ratio);
      vs.put("waterfallOverHls", ofHls);
      vs.put("targetWaterfallOverHls", Math.round(4.1 / viewers * 10_000) / 10_000.0);
      report.target(
          Target.atMost(
              "origin egress, Waterfall ÷ plain HLS at N=" + viewers,
              Math.round(ofHls * 10_000) / 100.0,
              Math.round(4.1 / viewers * 10_000) / 100.0,
              "% (= 4.1 ÷ N)"));
    }
    report.target(
        Target.atLeast(
            "plain HLS origin egress ≈ N (sanity: ≥ 0.95 N)",
            Double.isNaN(ratio) ? 0 : ratio,
            0.95 * viewers,
            "× stream"));
  }

  private JsonNode waterfallFigures() {
    Path file =
        waterfallReport != null
            ? waterfallReport
            : ReportDir.locate(common.reportsDir).resolve("relay-egress.json");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      ObjectNode out = ((ObjectNode) root.path("figures")).deepCopy();
      out.put("startedAt", root.path("startedAt").asText());
      return out;
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    List<SvgChart> out = new ArrayList<>();
    if (!figures.has("originEgressRatio")) {
      return out;
    }
    double n = figures.path("viewers").asDouble();
    double hls = figures.path("originEgressRatio").asDouble();
    double wf = figures.path("vsWaterfall").path("waterfallOriginEgressRatio").asDouble(4.0);
    out.add(
        SvgChart.bars(
                "Origin egress at N = " + SvgChart.format(n) + " viewers",
                "",
                "copies of the stream",
                List.of(
                    "plain HLS (measured)",
                    "Waterfall (relay-egress"
                        + (figures.path("vsWaterfall").has("waterfallOriginEgressRatio")
                            ? ", measured)"
                            : ": not measured, tree bound)")))
            .logY()
            .bar("origin egress", new double[] {hls, wf}));
    JsonNode st = figures.path("startup");
    List<String> pcts = List.of("p50", "p90", "p99", "max");
    out.add(
        SvgChart.bars("Startup: playlist request → first segment complete", "", "ms", pcts)
            .bar(
                "startup",
                new double[] {
                  st.path("p50Ms").asDouble(Double.NaN),
                  st.path("p90Ms").asDouble(Double.NaN),
                  st.path("p99Ms").asDouble(Double.NaN),
                  st.path("maxMs").asDouble(Double.NaN)
                }));
    return out;
  }
}

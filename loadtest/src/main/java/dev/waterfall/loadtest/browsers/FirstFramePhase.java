package dev.waterfall.loadtest.browsers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.BrowserRig;
import dev.waterfall.loadtest.kit.chromium.Probe;
import dev.waterfall.loadtest.kit.chromium.Spread;
import dev.waterfall.loadtest.kit.chromium.ViewerPage;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.testkit.chromium.Chromium;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Phase 1: P2P pages ({@code /watch/s}) and plain hls.js pages from the origin ({@code ?p2p=0}),
 * interleaved A-B-B-A after a warm-up pair, each in a fresh context closed after its first frame;
 * p50/p95 of each, their ratio, and the p50 of every start-up milestone per mode.
 */
final class FirstFramePhase {
  private FirstFramePhase() {}

  static void run(
      BrowserRig rig,
      Chromium chromium,
      String stream,
      int samples,
      Report report,
      Deadline deadline,
      Progress progress)
      throws Exception {
    progress.phase("first frame: P2P vs plain, interleaved", 2L * samples);
    ObjectNode out = report.figures().putObject("firstFrame");
    List<Double> p2p = new ArrayList<>();
    List<Double> plain = new ArrayList<>();
    List<Double> p2pPlaying = new ArrayList<>();
    List<Double> plainPlaying = new ArrayList<>();
    ArrayNode rows = out.putArray("samples");
    Map<String, Map<String, List<Double>>> milestones = new LinkedHashMap<>();
    int failures = 0;
    int notP2p = 0;
    int baseline = rig.treeSize(stream);
    // Round 0 is a warm-up pair (Chromium's first page, the relays' first HTTP); then A-B-B-A so
    // neither mode always goes first.
    for (int round = 0; round <= samples && !deadline.passed(); round++) {
      boolean p2pFirst = round % 2 == 0;
      for (int k = 0; k < 2; k++) {
        boolean wantP2p = (k == 0) == p2pFirst;
        ViewerPage page =
            ViewerPage.open(
                chromium.browser, rig.watchUrl(stream, wantP2p), wantP2p ? "p2p" : "plain");
        Probe probe;
        boolean ok;
        try {
          ok = page.awaitFirstFrame(20_000);
          probe = page.probe();
        } finally {
          page.close();
        }
        Double ms = probe == null ? null : probe.firstFrameOrPlaying();
        if (round == 0) {
          continue;
        }
        progress.step();
        ObjectNode row = rows.addObject();
        row.put("round", round);
        row.put("requested", wantP2p ? "p2p" : "plain");
        row.put("mode", probe == null ? null : probe.mode());
        row.put("depth", probe == null ? null : probe.depth());
        row.put("firstFrameMs", ms == null ? null : round1(ms));
        row.put(
            "playingMs",
            probe == null || probe.startedAtMs() == null ? null : round1(probe.startedAtMs()));
        if (!ok || ms == null) {
          failures++;
          row.put(
              "error",
              probe == null ? "no page state" : "no first frame in 20 s: " + probe.error());
          continue;
        }
        if (wantP2p && !"p2p".equals(probe.mode())) {
          notP2p++; // P2P failed and the page fell back to plain HLS: not a P2P start
          continue;
        }
        (wantP2p ? p2p : plain).add(ms);
        Map<String, List<Double>> steps =
            milestones.computeIfAbsent(wantP2p ? "p2p" : "plain", x -> new LinkedHashMap<>());
        probe
            .timeline()
            .forEach((step, t) -> steps.computeIfAbsent(step, x -> new ArrayList<>()).add(t));
        steps.computeIfAbsent("firstFrame", x -> new ArrayList<>()).add(ms);
        row.putPOJO("timeline", probe.timeline());
        if (probe.startedAtMs() != null) {
          (wantP2p ? p2pPlaying : plainPlaying).add(probe.startedAtMs());
        }
        progress.extra(
            String.format(
                "p2p p50 %.0f ms, plain p50 %.0f ms",
                Spread.percentile(p2p, 50), Spread.percentile(plain, 50)));
        if (wantP2p) {
          // The next P2P page should find the same free slot: wait until this one has left the
          // tree.
          BrowserRig.await(() -> rig.treeSize(stream) <= baseline, 5_000, null);
        }
      }
    }
    out.set("p2p", Spread.summary(p2p));
    out.set("plain", Spread.summary(plain));
    out.set("p2pPlaying", Spread.summary(p2pPlaying));
    // Where the time goes: the p50 of each start-up milestone (ms since navigation start), in page
    // order.
    ObjectNode timeline = out.putObject("milestonesP50Ms");
    milestones.forEach(
        (mode, steps) -> {
          ObjectNode m = timeline.putObject(mode);
          steps.entrySet().stream()
              .sorted(
                  Map.Entry.comparingByValue(
                      java.util.Comparator.comparingDouble(v -> Spread.percentile(v, 50))))
              .forEach(e -> m.put(e.getKey(), Spread.percentile(e.getValue(), 50)));
        });
    out.set("plainPlaying", Spread.summary(plainPlaying));
    double ratio50 = Spread.ratio(Spread.percentile(p2p, 50), Spread.percentile(plain, 50));
    double ratio95 = Spread.ratio(Spread.percentile(p2p, 95), Spread.percentile(plain, 95));
    out.put("ratioP50", ratio50);
    out.put("ratioP95", ratio95);
    out.put("failures", failures);
    out.put("p2pPagesThatFellBackToPlain", notP2p);
    report.target(Target.atMost("first frame p50: P2P ÷ plain hls.js", nan(ratio50), 1.1, "×"));
    report.target(Target.atMost("first frame p95: P2P ÷ plain hls.js", nan(ratio95), 1.1, "×"));
    if (p2p.size() < samples || plain.size() < samples) {
      report.note(
          "first frame: "
              + p2p.size()
              + " P2P and "
              + plain.size()
              + " plain samples of "
              + samples
              + " each ("
              + failures
              + " without a first frame, "
              + notP2p
              + " P2P pages fell back to plain HLS)");
    }
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double nan(double v) {
    return Double.isNaN(v) ? Double.MAX_VALUE : v;
  }
}

package dev.waterfall.loadtest.browsers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.BrowserRig;
import dev.waterfall.loadtest.kit.chromium.Probe;
import dev.waterfall.loadtest.kit.chromium.Spread;
import dev.waterfall.loadtest.kit.chromium.ViewerPage;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.relay.Relay;
import dev.waterfall.testkit.chromium.Chromium;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Phase 2: a stream with maxChildren 1 and no booster, so pages can only chain (depths 1, 2, 3…),
 * plus one plain page from the origin as the reference; every second, each page's distance behind
 * live, and each segment's arrival in each page's store.
 */
final class DepthChainPhase {
  private DepthChainPhase() {}

  static void run(
      BrowserRig rig,
      Relay chainOrigin,
      Chromium chromium,
      String stream,
      int chain,
      int chainSeconds,
      Report report,
      Deadline deadline,
      Progress progress)
      throws Exception {
    progress.phase("live distance: chain of " + chain + " pages + 1 plain", chain + 1);
    List<ViewerPage> pages = new ArrayList<>();
    try {
      // maxChildren 1: each page can only join below the previous one, at depth 1, 2, 3…
      for (int d = 1; d <= chain; d++) {
        ViewerPage page =
            ViewerPage.open(chromium.browser, rig.watchUrl(stream, true), "depth " + d);
        pages.add(page);
        if (!page.awaitPlaying(30_000)) {
          throw new IllegalStateException(
              "chain page " + d + " did not play in 30 s: " + page.probe());
        }
        progress.step();
      }
      ViewerPage plain = ViewerPage.open(chromium.browser, rig.watchUrl(stream, false), "plain");
      pages.add(plain);
      if (!plain.awaitPlaying(30_000)) {
        throw new IllegalStateException("the plain page did not play in 30 s: " + plain.probe());
      }
      progress.step();
      progress.phase("live distance: sampling", chainSeconds);
      Map<String, List<Double>> byDepth = new TreeMap<>();
      Map<String, Probe> first = new LinkedHashMap<>();
      Map<String, Probe> last = new LinkedHashMap<>();
      int stale = 0;
      Arrivals arrivals = new Arrivals(System.currentTimeMillis());
      for (int s = 0; s < chainSeconds && !deadline.passed(); s++) {
        long next = System.currentTimeMillis() + 1000;
        for (ViewerPage page : pages) {
          Probe p = page.probe();
          if (p == null) {
            continue;
          }
          first.putIfAbsent(page.label, p);
          last.put(page.label, p);
          arrivals.add(page.label, p.depth(), p.arrivals());
          OptionalDouble d =
              "p2p".equals(p.mode()) ? p.liveDistanceMillis() : plainDistance(chainOrigin, p);
          String key = "p2p".equals(p.mode()) ? String.valueOf(p.depth()) : "plain (origin HTTP)";
          if (d.isPresent()) {
            byDepth.computeIfAbsent(key, x -> new ArrayList<>()).add(d.getAsDouble());
          } else {
            stale++;
          }
        }
        progress.step();
        Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
      }
      ObjectNode out = report.figures().putObject("liveDistanceByDepth");
      byDepth.forEach((k, v) -> out.set(k, Spread.summary(v)));
      report.figures().put("liveDistanceReadingsWithoutFragment", stale);
      report.figures().set("segmentCompleteAfterProducedByDepth", arrivals.summary());
      report.figures().set("chainPages", ViewerPage.rows(pages, first, last));
      for (int d = 1; d <= chain; d++) {
        List<Double> v = byDepth.getOrDefault(String.valueOf(d), List.of());
        if (v.isEmpty()) {
          report.note("live distance: no page reported depth " + d);
        }
      }
    } finally {
      pages.forEach(ViewerPage::close);
    }
  }

  /**
   * A plain page has no store of headers: the origin's store has the same signed header for that
   * sequence.
   */
  private static OptionalDouble plainDistance(Relay origin, Probe p) throws Exception {
    if (p.fragSn() == null || p.paused()) {
      return OptionalDouble.empty();
    }
    CompletableFuture<Optional<long[]>> f = new CompletableFuture<>();
    origin
        .node()
        .context()
        .runOnContext(
            v ->
                f.complete(
                    origin
                        .store()
                        .header(p.fragSn())
                        .map(
                            h ->
                                new long[] {
                                  h.header().producedAtMillis(), h.header().durationMillis()
                                })));
    Optional<long[]> h = f.get(10, TimeUnit.SECONDS);
    return h.isEmpty()
        ? OptionalDouble.empty()
        : Probe.distanceBehindLive(
            p.nowMillis(), h.get()[0], (int) h.get()[1], p.currentTime(), p.fragStart());
  }
}

package dev.waterfall.loadtest.browsers;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Phase 3 of the {@code browsers} scenario: K pages below the booster(s) for a window of whole
 * segments; per page mode, depth, P2P share, stalls, distance and arrival; origin egress and
 * offload from the relays' and the pages' byte counters.
 */
final class ViewersPhase {
  private ViewersPhase() {}

  static void run(
      BrowserRig rig,
      Relay origin,
      List<Relay> boosterRelays,
      Chromium chromium,
      String stream,
      int viewers,
      int viewerSeconds,
      int kbps,
      Report report,
      Deadline deadline,
      Progress progress)
      throws Exception {
    progress.phase("viewers: " + viewers + " pages joining", viewers);
    List<ViewerPage> pages = new ArrayList<>();
    try {
      for (int i = 0; i < viewers; i++) {
        pages.add(
            ViewerPage.open(chromium.browser, rig.watchUrl(stream, true), "viewer " + (i + 1)));
        Thread.sleep(250); // a trickle, not one burst: joins arrive one by one in the field too
      }
      for (ViewerPage page : pages) {
        if (!page.awaitPlaying(30_000)) {
          report.note(page.label + " did not play within 30 s: " + page.probe());
        }
        progress.step();
      }
      // startup fetches (the first segments may come over HTTP while links form) left out
      Thread.sleep(4000);
      // Byte counters are read half-way between two segments (each arrives as a burst right after
      // the origin signs it) and the window is whole segments, so no burst is half in: as
      // relay-egress does.
      int segments = Math.max(1, viewerSeconds / 2);
      long snapshotAt = BrowserRig.newestProducedAt(origin) + 1000;
      while (snapshotAt < System.currentTimeMillis() + 200) {
        snapshotAt += 2000;
      }
      Thread.sleep(snapshotAt - System.currentTimeMillis());
      progress.phase("viewers: measuring", 2L * segments);
      Counters before = Counters.read(origin, boosterRelays);
      Map<String, Probe> first = new LinkedHashMap<>();
      for (ViewerPage page : pages) {
        Probe p = page.probe();
        if (p != null) {
          first.put(page.label, p);
        }
      }
      Map<String, Probe> last = new LinkedHashMap<>();
      Map<String, List<Double>> byDepth = new TreeMap<>();
      Arrivals arrivals = new Arrivals(System.currentTimeMillis());
      long start = System.nanoTime();
      long end = snapshotAt + 2000L * segments;
      for (long tick = snapshotAt + 500; tick < end && !deadline.passed(); tick += 1000) {
        Thread.sleep(Math.max(0, tick - System.currentTimeMillis()));
        for (ViewerPage page : pages) {
          Probe p = page.probe();
          if (p == null) {
            continue;
          }
          arrivals.add(page.label, p.depth(), p.arrivals());
          OptionalDouble d = p.liveDistanceMillis();
          if (d.isPresent()) {
            byDepth
                .computeIfAbsent(String.valueOf(p.depth()), x -> new ArrayList<>())
                .add(d.getAsDouble());
          }
        }
        progress.step();
      }
      Thread.sleep(Math.max(0, end - System.currentTimeMillis()));
      Counters after = Counters.read(origin, boosterRelays);
      for (ViewerPage page : pages) {
        Probe p = page.probe();
        if (p != null && first.containsKey(page.label)) {
          last.put(page.label, p);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (deadline.passed()) {
        report.incomplete(
            "time budget spent during the viewers phase (" + Math.round(seconds) + " s measured)");
      }
      ObjectNode figures = report.figures();
      ObjectNode out = figures.putObject("viewersPhase");
      out.put("measuredSeconds", Math.round(seconds * 10) / 10.0);
      out.put("measuredSegments", segments);
      ArrayNode rows = ViewerPage.rows(pages, first, last);
      out.set("pages", rows);
      ObjectNode dist = out.putObject("liveDistanceByDepth");
      byDepth.forEach((k, v) -> dist.set(k, Spread.summary(v)));
      out.set("segmentCompleteAfterProducedByDepth", arrivals.summary());

      long pagesFromParent = 0;
      long pagesFallback = 0;
      int stalls = 0;
      int stallsPageBusy = 0;
      int maxDepth = 0;
      int p2pPages = 0;
      for (String label : last.keySet()) {
        Probe a = first.get(label);
        Probe b = last.get(label);
        pagesFromParent += b.bytesFromParent() - a.bytesFromParent();
        pagesFallback += b.bytesByFallback() - a.bytesByFallback();
        stalls += b.stalls() - a.stalls();
        stallsPageBusy += b.stallsPageBusy() - a.stallsPageBusy();
        maxDepth = Math.max(maxDepth, b.depth() == null ? 0 : b.depth());
        p2pPages += "p2p".equals(b.mode()) ? 1 : 0;
      }
      long boosterFromParent = after.boostersFromParent - before.boostersFromParent;
      long boosterFallback = after.boostersFallback - before.boostersFallback;
      // Boosters serve no HTTP: every fallback byte, of a booster or a page, was served by the
      // origin.
      long originBytes = (after.originSent - before.originSent) + boosterFallback + pagesFallback;
      long delivered = boosterFromParent + boosterFallback + pagesFromParent + pagesFallback;
      // One copy of the stream on the wire: what a booster (depth 1, under the origin) received;
      // else bitrate × time.
      double oneCopy =
          !boosterRelays.isEmpty() && boosterFromParent > 0
              ? (double) boosterFromParent / boosterRelays.size()
              : kbps * 1000 / 8.0 * seconds;
      double egressRatio = Math.round(originBytes / oneCopy * 100) / 100.0;
      double offload =
          delivered == 0
              ? Double.NaN
              : Math.round((1 - (double) originBytes / delivered) * 1000) / 1000.0;
      double pagesP2pShare =
          pagesFromParent + pagesFallback == 0
              ? Double.NaN
              : Math.round((double) pagesFromParent / (pagesFromParent + pagesFallback) * 1000)
                  / 1000.0;
      out.put("originDataChannelBytes", after.originSent - before.originSent);
      out.put("originHttpBytes", boosterFallback + pagesFallback);
      out.put("boostersBytesFromParent", boosterFromParent);
      out.put("pagesBytesFromParent", pagesFromParent);
      out.put("pagesBytesByFallback", pagesFallback);
      out.put("pagesP2pShare", pagesP2pShare);
      out.put("p2pPages", p2pPages);
      // The fields every scenario shares, for this phase.
      figures.put("viewers", pages.size());
      figures.put("originEgressRatio", egressRatio);
      figures.put("offload", offload);
      figures.put("maxDepth", maxDepth);
      figures.put("stalls", stalls);
      // of `stalls`: the page's CPU, not delivery (watch/stalls.js)
      out.put("stallsPageBusy", stallsPageBusy);
      report.note(
          "viewers phase: origin egress "
              + egressRatio
              + " × the stream for "
              + pages.size()
              + " pages + "
              + boosterRelays.size()
              + " booster(s); offload "
              + offload
              + " (plain HLS: origin sends "
              + (pages.size() + boosterRelays.size())
              + " ×, offload 0)");
    } finally {
      pages.forEach(ViewerPage::close);
    }
  }

  /** The relays' byte counters at one moment. */
  private record Counters(long originSent, long boostersFromParent, long boostersFallback) {
    static Counters read(Relay origin, List<Relay> boosters) throws Exception {
      return new Counters(
          BrowserRig.bytesSent(origin),
          boosters.stream().mapToLong(b -> b.node().bytesFromParent()).sum(),
          boosters.stream().mapToLong(b -> b.node().bytesByFallback()).sum());
    }
  }
}

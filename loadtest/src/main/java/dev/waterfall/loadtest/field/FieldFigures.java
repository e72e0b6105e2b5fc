package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.Probe;
import dev.waterfall.loadtest.kit.chromium.Spread;
import dev.waterfall.loadtest.kit.chromium.ViewerPage;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a field-lab run reports of its pages: per page mode, depth, bytes by source, P2P share,
 * stalls; per run the totals and the field targets (stalls, share, first frame against plain HLS,
 * origin egress, the machine's CPU). A page whose home --cut took offline is shown, not counted.
 */
final class FieldFigures {
  private final Report report;
  private final boolean plain;
  private final String offlinePage;

  FieldFigures(Report report, boolean plain, String offlinePage) {
    this.report = report;
    this.plain = plain;
    this.offlinePage = offlinePage;
  }

  /** figures.pages, the run's totals and the field targets. */
  void put(
      List<ViewerPage> pages,
      Map<String, Probe> started,
      Map<String, Probe> last,
      List<Double> plainFirstFrames,
      double egressRatio,
      int maxDepth,
      double cpu,
      double measured,
      double originDc,
      double originHttp) {
    ObjectNode out = report.figures();
    ArrayNode rows = out.putArray("pages");
    int stalls = 0;
    int dataLate = 0;
    long stalledMs = 0;
    long fromParent = 0;
    long fallback = 0;
    int p2pPages = 0;
    List<Double> firstFrames = new ArrayList<>();
    for (ViewerPage page : pages) {
      Probe a = started.get(page.label);
      Probe b = last.get(page.label);
      ObjectNode row = rows.addObject().put("page", page.label);
      if (a == null || b == null) {
        row.put("error", "no reading");
        continue;
      }
      row.put("mode", b.mode())
          .put("depth", b.depth())
          .put("nodeId", b.nodeId())
          .put("linkedParent", b.parentId());
      if (b.firstFrameOrPlaying() != null) {
        firstFrames.add(b.firstFrameOrPlaying());
        row.put("firstFrameMs", Math.round(b.firstFrameOrPlaying()));
      }
      long parent = b.bytesFromParent() - a.bytesFromParent();
      long http = b.bytesByFallback() - a.bytesByFallback();
      row.put("bytesFromParent", parent)
          .put("bytesByFallback", http)
          .put("bytesSentToChildren", b.bytesSentToChildren() - a.bytesSentToChildren())
          .put("children", b.children());
      if (parent + http > 0) {
        row.put("p2pShare", Math.round((double) parent / (parent + http) * 1000) / 1000.0);
      }
      // Since start, not only the window: a stall while the others were still joining is a viewer's
      // stall too.
      row.put("stalls", b.stalls())
          .put("stallsDataLate", b.stallsDataLate())
          .put("stallsPageBusy", b.stallsPageBusy())
          .put("stalledMs", b.stalledMs());
      if (b.error() != null) {
        row.put("error", b.error());
      }
      if (page.label.equals(offlinePage)) {
        row.put("offline", true);
        continue;
      }
      stalls += b.stalls();
      dataLate += b.stallsDataLate();
      stalledMs += b.stalledMs();
      if ("p2p".equals(b.mode())) {
        p2pPages++;
        fromParent += parent;
        fallback += http;
      }
    }
    double share =
        fromParent + fallback == 0
            ? Double.NaN
            : Math.round((double) fromParent / (fromParent + fallback) * 1000) / 1000.0;
    out.put("measuredSeconds", Math.round(measured));
    out.put("p2pPages", p2pPages);
    out.put("stalls", stalls);
    out.put("stallsDataLate", dataLate);
    out.put("stalledSeconds", Math.round(stalledMs / 100.0) / 10.0);
    out.put("p2pShare", share);
    // What coturn sent out over the same window, against every byte pages took from a parent: the
    // P2P bytes that needed TURN (an upper bound: it includes relays' links through TURN and STUN
    // answers).
    if (fromParent > 0) {
      out.put(
          "turnShareOfP2p",
          Math.round(out.path("turnBytes").asLong() * 1000.0 / fromParent) / 1000.0);
    }
    out.put("originEgressRatio", Math.round(egressRatio * 100) / 100.0);
    out.put("originDataChannelBytes", (long) originDc);
    out.put("originHttpBytes", (long) originHttp);
    out.put("maxDepth", maxDepth);
    out.put("cpuBusy", Math.round(cpu * 1000) / 1000.0);
    out.set("firstFrame", Spread.summary(firstFrames));
    double ratio =
        Spread.ratio(Spread.percentile(firstFrames, 50), Spread.percentile(plainFirstFrames, 50));
    out.put("firstFrameP50VsPlain", ratio);
    report.target(Target.atMost("stalls after start (all pages)", stalls, 0, "stalls"));
    if (!plain) {
      report.target(
          Target.atLeast(
              "P2P share of the pages' bytes", Double.isNaN(share) ? 0 : share, 0.95, ""));
      report.target(
          Target.atMost(
              "first frame p50: tree ÷ plain HLS", Double.isNaN(ratio) ? 99 : ratio, 1.1, "×"));
    }
    report.target(Target.atMost("origin egress ÷ the stream", egressRatio, plain ? 99 : 4.5, "×"));
    report.target(
        Target.atMost("machine CPU busy (a saturated run measures the machine)", cpu, 0.85, ""));
  }

  /**
   * The honest pages' stalled time ÷ their watch time (from each page's opening to the run's end),
   * issue 17's ≤ 1 % with withholders in the tree; every page here is honest (withholders are not
   * pages), the one --cut took offline aside.
   */
  void honestStalls(
      boolean withholders,
      List<ViewerPage> pages,
      Map<String, Probe> last,
      Map<String, Long> openedAt,
      long end) {
    long stalledMs = 0;
    long watchedMs = 0;
    for (ViewerPage page : pages) {
      Probe b = last.get(page.label);
      Long opened = openedAt.get(page.label);
      if (b == null || opened == null || page.label.equals(offlinePage)) {
        continue;
      }
      stalledMs += b.stalledMs();
      watchedMs += end - opened;
    }
    double share = WithholderWatch.stalledShare(stalledMs, watchedMs);
    report.figures().put("honestWatchedSeconds", Math.round(watchedMs / 100.0) / 10.0);
    report.figures().put("honestStalledShare", Math.round(share * 10_000) / 10_000.0);
    if (withholders) {
      report.target(
          Target.atMost(
              "honest pages' stalled time ÷ their watch time (withholders in the tree)",
              Double.isNaN(share) ? 1 : share,
              0.01,
              ""));
    }
  }
}

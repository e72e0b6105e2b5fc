package dev.waterfall.loadtest.realtime;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import dev.waterfall.loadtest.kit.chromium.ClockReading;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One page of a realtime stream: the publisher (publishing rt/clock.js's picture of its wall clock)
 * or a viewer ({@code /watch/…}), each in a context of its own. Reads back what the benchmark
 * needs: the page's state, the glass-to-glass latency of the frames it shows (rt/clock.js {@code
 * measure}), and its codec counters.
 */
public final class RtPage implements AutoCloseable {
  /** Decode and encode time and frame counts the page's connections report (getStats). */
  private static final String CODEC =
      """
      async () => {
        const w = window.waterfall;
        const node = w.realtime || w.node;
        const out = {decodeS: 0, framesDecoded: 0, encodeS: 0, framesEncoded: 0, children: 0, bytesSent: 0};
        const edges = [];
        if (node.parent && !node.parent.closed) edges.push(node.parent);
        for (const c of node.children.values()) if (!c.closed) { edges.push(c); out.children++; }
        for (const e of edges) {
          (await e.pc.getStats()).forEach(r => {
            if (r.type === 'inbound-rtp' && r.kind === 'video') {
              out.decodeS += r.totalDecodeTime || 0; out.framesDecoded += r.framesDecoded || 0;
            }
            if (r.type === 'outbound-rtp' && r.kind === 'video') {
              out.encodeS += r.totalEncodeTime || 0; out.framesEncoded += r.framesEncoded || 0;
              out.bytesSent += r.bytesSent || 0;
            }
          });
        }
        return out;
      }""";

  final String label;
  final Page page;
  final List<String> console = Collections.synchronizedList(new ArrayList<>());

  private RtPage(Browser browser, String label) {
    this.label = label;
    // Chromium signals its host candidates only to a page with camera or microphone permission;
    // page-to-page links need them (no device is opened: the picture is a canvas).
    BrowserContext context =
        browser.newContext(
            new Browser.NewContextOptions()
                .setViewportSize(800, 600)
                .setPermissions(List.of("camera", "microphone")));
    this.page = context.newPage();
    page.onConsoleMessage(
        m -> {
          if (console.size() < 50) {
            console.add(m.type() + ": " + m.text());
          }
        });
    page.onPageError(e -> console.add("pageerror: " + e));
  }

  /** The publisher of {@code stream}, live with the clock picture at {@code fps}. */
  public static RtPage publisher(Browser browser, String base, String stream, String key, int fps) {
    RtPage p = new RtPage(browser, "publisher");
    p.page.navigate(base + "/publish/" + stream + "?fps=" + fps + "#key=" + key);
    p.page.evaluate("() => window.waterfall.start('clock')");
    p.await("s => s.phase === 'live'", 20_000);
    return p;
  }

  /**
   * A viewer of {@code stream} ({@code query}: e.g. "upload=0"), decoding once {@code predicate}
   * holds.
   */
  static RtPage viewer(
      Browser browser, String base, String stream, String query, String label, String predicate) {
    RtPage p = new RtPage(browser, label);
    p.page.navigate(base + "/watch/" + stream + (query.isEmpty() ? "" : "?" + query));
    p.await(
        "s => s.mode === 'realtime' && s.parentId !== null && s.framesDecoded > 10 && ("
            + predicate
            + ")(s)",
        30_000);
    return p;
  }

  /**
   * Waits until {@code predicate} holds of window.waterfall.state; throws saying what the page had
   * instead.
   */
  void await(String predicate, long timeoutMs) {
    try {
      page.waitForFunction(
          "p => window.waterfall && (" + predicate + ")(window.waterfall.state)",
          null,
          new Page.WaitForFunctionOptions().setTimeout(timeoutMs).setPollingInterval(100));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          label + ": waiting for " + predicate + ": state " + state() + ", console " + console, e);
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> state() {
    try {
      return (Map<String, Object>)
          page.evaluate("() => JSON.parse(JSON.stringify(window.waterfall.state))");
    } catch (RuntimeException e) {
      return Map.of("error", e.toString());
    }
  }

  String nodeId() {
    return (String) state().get("nodeId");
  }

  /**
   * Starts sampling the latency of every frame shown for {@code millis}; {@link #latency} collects
   * it.
   */
  void startLatency(int millis) {
    ClockReading.start(page, millis);
  }

  /** The samples (ms) of {@link #startLatency}, once it is over. */
  List<Double> latency() {
    return ClockReading.collect(page).samples();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> codec() {
    return (Map<String, Object>) page.evaluate(CODEC);
  }

  @Override
  public void close() {
    try {
      page.context().close();
    } catch (RuntimeException e) {
      // the browser is closing anyway
    }
  }
}

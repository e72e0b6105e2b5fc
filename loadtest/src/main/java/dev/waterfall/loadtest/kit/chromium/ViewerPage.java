package dev.waterfall.loadtest.kit.chromium;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.util.List;
import java.util.Map;

/**
 * One viewer's page, measured from outside: an init script (runs before the page's own scripts)
 * notes the first presented video frame and which HLS fragment is playing; {@link #probe()} reads
 * those and the player's counters in one page.evaluate, so every value of a sample was taken at the
 * same instant. The web player itself is not changed: it already exposes window.waterfall (state,
 * video, hls, node).
 */
public final class ViewerPage implements AutoCloseable {
  /**
   * - firstFrame: video.requestVideoFrameCallback, registered as soon as the video element exists,
   * fires for the first frame handed to the compositor; metadata.presentationTime is in ms since
   * the page's time origin, which for a navigation is its start. So it is "navigation start → first
   * presented frame". - frag: hls.js's FRAG_CHANGED (the fragment now playing: sn = media sequence,
   * start on the media timeline). - timeline: when each step of the start happened (ms since
   * navigation start, first occurrence), to see where a slow start goes: the WebSocket join and the
   * WebRTC link (P2P pages), then hls.js's playlist and first fragment. Taken by wrapping the
   * browser's WebSocket and RTCPeerConnection, and hls.js's loadSource as soon as the page's
   * hls.min.js defines window.Hls, so no event is missed; the page's own code is not touched.
   */
  static final String INIT_SCRIPT =
      """
      (() => {
        const bench = window.__waterfallBench = { rvfc: null, firstFrame: null, frag: null, timeline: {} };
        const mark = (k) => { if (!(k in bench.timeline)) bench.timeline[k] = Math.round(performance.now()); };
        document.addEventListener('DOMContentLoaded', () => {
          const video = document.getElementById('video');
          bench.rvfc = !!video && typeof video.requestVideoFrameCallback === 'function';
          if (!bench.rvfc) return;
          video.requestVideoFrameCallback((now, meta) => {
            bench.firstFrame = { presentedAt: meta.presentationTime, callbackAt: now, mediaTime: meta.mediaTime };
          });
        });
        const NativeWebSocket = window.WebSocket;
        window.WebSocket = class extends NativeWebSocket {
          constructor(...args) {
            super(...args);
            mark('wsCreated');
            this.addEventListener('open', () => mark('wsOpen'));
            this.addEventListener('message', () => mark('wsFirstMessage'));
          }
        };
        const NativePeerConnection = window.RTCPeerConnection;
        if (NativePeerConnection) {
          const channel = (c) => {
            c.addEventListener('open', () => mark('dataChannelOpen'));
            c.addEventListener('message', () => mark('firstDataMessage'));
            return c;
          };
          window.RTCPeerConnection = class extends NativePeerConnection {
            constructor(...args) {
              super(...args);
              mark('peerConnection');
              this.addEventListener('datachannel', (e) => channel(e.channel));
            }
            createDataChannel(...args) {
              return channel(super.createDataChannel(...args));
            }
          };
        }
        const hook = (hls, Hls) => {
          if (hls.__waterfallBench) return;
          hls.__waterfallBench = true;
          hls.on(Hls.Events.MANIFEST_PARSED, () => mark('playlistParsed'));
          hls.on(Hls.Events.FRAG_LOADED, () => mark('firstFragmentLoaded'));
          hls.on(Hls.Events.FRAG_BUFFERED, () => mark('firstFragmentBuffered'));
          hls.on(Hls.Events.FRAG_CHANGED, (_e, data) => {
            bench.frag = { sn: data.frag.sn, start: data.frag.start, duration: data.frag.duration };
          });
        };
        let HlsClass;
        Object.defineProperty(window, 'Hls', { configurable: true, enumerable: true,
          get: () => HlsClass,
          set: (H) => {
            HlsClass = H;
            if (!H || !H.prototype || typeof H.prototype.loadSource !== 'function') return;
            const loadSource = H.prototype.loadSource;
            H.prototype.loadSource = function (url) {
              mark('hlsStart');
              hook(this, H);
              return loadSource.call(this, url);
            };
          } });
        // Should hls.js ever be defined another way, hook whatever instance the player shows (may
        // miss the first events).
        setInterval(() => {
          const w = window.waterfall;
          if (w && w.hls && window.Hls) hook(w.hls, window.Hls);
        }, 50);
      })();
      """;

  /**
   * Everything one sample needs, read at one instant; header: the signed header of the playing
   * fragment; arrivals: [sequence, producedAtMillis, completeAtMillis] of each complete segment in
   * the page's store.
   */
  static final String PROBE =
      """
      () => {
        const w = window.waterfall, b = window.__waterfallBench;
        if (!w || !b) return null;
        const s = w.state, node = w.node, v = w.video;
        const out = {
          nowMillis: Date.now(), mode: s.mode, phase: s.phase, error: s.error, startedAt: s.startedAt,
          stalls: s.waitingAfterStart, stallsPageBusy: s.stallsPageBusy || 0, stallsDataLate: s.stallsDataLate || 0,
          stalledMs: s.stalledMs || 0, nodeId: s.nodeId || null, parentId: s.parentId || null, rvfc: b.rvfc, firstFrame: b.firstFrame, timeline: b.timeline,
          currentTime: v.currentTime, paused: v.paused, frag: b.frag,
          depth: node ? node.depth : null,
          bytesFromParent: node ? node.stats.bytesFromParent : 0,
          bytesByFallback: node ? node.stats.bytesByFallback : 0,
          bytesSentToChildren: node ? node.stats.bytesSentToChildren : 0,
          children: node ? node.childCount : 0,
          header: null, arrivals: [],
        };
        if (node && node.store) {
          for (const q of node.store.sequences()) {
            const st = node.store.status(q), h = node.store.header(q);
            if (st && h && st.complete) out.arrivals.push([q, h.header.producedAtMillis, st.completeAtMillis]);
          }
        }
        if (b.frag && node && node.store) {
          const h = node.store.header(b.frag.sn);
          if (h) out.header = { producedAtMillis: h.header.producedAtMillis, durationMillis: h.header.durationMillis };
        }
        return out;
      }
      """;

  public final String label;
  final String url;
  private final BrowserContext context;
  final Page page;

  private ViewerPage(String label, String url, BrowserContext context, Page page) {
    this.label = label;
    this.url = url;
    this.context = context;
    this.page = page;
  }

  /**
   * Camera and microphone are granted (no device is ever opened): Chromium signals its own host
   * candidates only to a page with one of them, and two pages without candidates cannot connect
   * (see relay-node's Chromium helper).
   */
  public static ViewerPage open(Browser browser, String url, String label) {
    BrowserContext context =
        browser.newContext(
            new Browser.NewContextOptions()
                .setViewportSize(640, 480)
                .setPermissions(List.of("camera", "microphone")));
    try {
      context.addInitScript(INIT_SCRIPT);
      Page page = context.newPage();
      page.navigate(url);
      return new ViewerPage(label, url, context, page);
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
  }

  /**
   * Waits until the first frame was presented (or playback began, where no frame callback exists).
   */
  public boolean awaitFirstFrame(long timeoutMillis) {
    try {
      page.waitForFunction(
          "() => window.__waterfallBench && (window.__waterfallBench.firstFrame !== null"
              + " || (window.__waterfallBench.rvfc === false && window.waterfall.state.startedAt !== null))",
          null,
          new Page.WaitForFunctionOptions().setTimeout(timeoutMillis).setPollingInterval(20));
      return true;
    } catch (com.microsoft.playwright.TimeoutError e) {
      return false;
    }
  }

  /** Waits until it plays, and for a P2P page until it has a parent. */
  public boolean awaitPlaying(long timeoutMillis) {
    try {
      page.waitForFunction(
          "() => window.waterfall && window.waterfall.state.startedAt !== null"
              + " && (window.waterfall.state.mode !== 'p2p'"
              + " || (window.waterfall.node != null && window.waterfall.node.depth !== null))",
          null,
          new Page.WaitForFunctionOptions().setTimeout(timeoutMillis).setPollingInterval(100));
      return true;
    } catch (com.microsoft.playwright.TimeoutError e) {
      return false;
    }
  }

  /**
   * Waits until {@code predicate} (a function of window.waterfall) holds; false when it did not in
   * time.
   */
  public boolean await(String predicate, long timeoutMillis) {
    try {
      page.waitForFunction(
          "() => !!window.waterfall && !!(" + predicate + ")(window.waterfall)",
          null,
          new Page.WaitForFunctionOptions().setTimeout(timeoutMillis).setPollingInterval(100));
      return true;
    } catch (com.microsoft.playwright.TimeoutError e) {
      return false;
    }
  }

  /** One field of window.waterfall.state (e.g. a realtime page's depth), null if absent. */
  public Object stateValue(String key) {
    return page.evaluate(
        "k => window.waterfall && window.waterfall.state[k] !== undefined ? window.waterfall.state[k] : null",
        key);
  }

  /**
   * hls.js's own view, ms: targetLatency (where it aims behind the live edge; it raises it after a
   * stall) and latency (where it is); empty where the page plays no hls.js.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> hlsLatency() {
    Object r =
        page.evaluate(
            "() => { const h = window.waterfall && window.waterfall.hls; return h ? {targetMs:"
                + " Math.round((h.targetLatency || 0) * 1000), latencyMs: Math.round((h.latency ||"
                + " 0) * 1000)} : {}; }");
    return (Map<String, Object>) r;
  }

  /**
   * When the page was opened (performance.timeOrigin), first played, and each stall after that (its
   * 'waiting' events, the last 50 events kept), all epoch ms; startedAt null until it played.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> startAndStalls() {
    return (Map<String, Object>)
        page.evaluate(
            "() => { const s = window.waterfall.state, o = performance.timeOrigin;"
                + " const at = s.startedAt; return {openedAt: Math.round(o),"
                + " startedAt: at === null ? null : Math.round(o + at),"
                + " stalls: at === null ? [] : s.events.filter(e => e.name === 'waiting' && e.t > at)"
                + ".map(e => Math.round(o + e.t))}; }");
  }

  /** Starts reading the burnt-in clock off every frame shown for {@code millis}. */
  public void startClock(int millis) {
    ClockReading.start(page, millis);
  }

  /** What {@link #startClock} read, once its window is over. */
  public ClockReading clock() {
    return ClockReading.collect(page);
  }

  @SuppressWarnings("unchecked")
  public Probe probe() {
    Object raw = page.evaluate(PROBE);
    return raw == null ? null : Probe.from((Map<String, Object>) raw);
  }

  /**
   * The page's whole state (window.waterfall.state: links, counters, the last segment loads with
   * their per-hop timing) as JSON text, or null: what a lab run keeps of each page for the
   * post-mortem.
   */
  public String stateJson() {
    try {
      Object json =
          page.evaluate(
              "() => window.waterfall ? JSON.stringify(window.waterfall.state, null, 1) : null");
      return json == null ? null : json.toString();
    } catch (RuntimeException e) {
      return null; // a page that crashed or closed: its absence says so
    }
  }

  /** Per page: mode, depth, P2P share and stalls over the sampled time, live distance p50/p95. */
  public static ArrayNode rows(
      List<ViewerPage> pages, Map<String, Probe> first, Map<String, Probe> last) {
    ArrayNode rows = JsonNodeFactory.instance.arrayNode();
    for (ViewerPage page : pages) {
      Probe a = first.get(page.label);
      Probe b = last.get(page.label);
      ObjectNode row = rows.addObject();
      row.put("page", page.label);
      if (a == null) {
        row.put("error", "no reading");
        continue;
      }
      row.put("mode", b.mode());
      row.put("depth", b.depth());
      long fromParent = b.bytesFromParent() - a.bytesFromParent();
      long fallback = b.bytesByFallback() - a.bytesByFallback();
      row.put("bytesFromParent", fromParent);
      row.put("bytesByFallback", fallback);
      row.put("bytesSentToChildren", b.bytesSentToChildren() - a.bytesSentToChildren());
      row.put("children", b.children());
      if ("p2p".equals(b.mode()) && fromParent + fallback > 0) {
        row.put(
            "p2pShare", Math.round((double) fromParent / (fromParent + fallback) * 1000) / 1000.0);
      }
      row.put("stallsWhileSampled", b.stalls() - a.stalls());
      row.put("stallsSinceStart", b.stalls());
      // Of those, the page held the segment ≥ 1 s unappended: the machine's CPU, not delivery
      // (watch/stalls.js).
      row.put("stallsPageBusySinceStart", b.stallsPageBusy());
      if (b.error() != null) {
        row.put("error", b.error());
      }
    }
    return rows;
  }

  @Override
  public void close() {
    try {
      context.close();
    } catch (RuntimeException e) {
      // the browser may already be gone
    }
  }
}

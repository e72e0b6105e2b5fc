package dev.waterfall.e2e;

import static dev.waterfall.e2e.PageViewer.node;
import static dev.waterfall.e2e.PageViewer.number;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, slice 3: pages take LL-HLS parts from the tree. An LL origin with one slot a node, so
 * three {@code ?ll=tree} pages form a chain (depths 1, 2, 3: pages under pages), beside a plain
 * LL-HLS page ({@code ?ll=1&p2p=0}) in the same run. Asserts behaviour: every chain page plays LL
 * with the P2P loader, the pages under pages got parts from their parent page and handed most of
 * hls.js's part requests from their store, every page played through the window (stalls counted,
 * not asserted zero). Latency by depth (now − hls.js playingDate, as LlHlsIT), the part share and
 * first frame against the plain page are printed and written to target/ll-pages.json, never
 * asserted: a slow machine must not fail this.
 */
@DisplayName("LL-HLS pages under pages take their parts from the tree")
class LlPagesIT extends BrowserFixture {
  static final int CHAIN = 3;
  static final int PLAY_SECONDS = 20;

  @Test
  @DisplayName("a chain of three ?ll=tree pages plays parts from the tree, beside a plain LL page")
  void pagesUnderPagesPlayPartsFromTheTree() throws Exception {
    String stream = "llpages";
    String key = rig.createStream(stream, 1); // one child a node: a chain
    StreamRig.LlOrigin started = rig.llOrigin(stream, key);
    Relay origin = started.relay();
    LlHlsOrigin ll = started.ll();
    String llPlaylist = StreamRig.awaitLlPlaylist(origin, stream);

    // llpages.plainFirst: the plain page opens first and plays through the chain pages' start-ups,
    // as the chain pages play through each other's (and, by default, the plain page's).
    boolean plainFirst = Boolean.getBoolean("llpages.plainFirst");
    PageViewer plain =
        plainFirst ? PageViewer.open(chromium, "plain", rig.base, stream, "?ll=1&p2p=0") : null;
    if (plain != null) {
      plain.waitPlaying();
    }
    List<PageViewer> chain = new ArrayList<>();
    Map<PageViewer, List<String>> partRequests = new HashMap<>();
    for (int i = 0; i < CHAIN; i++) {
      PageViewer p = PageViewer.open(chromium, "ll" + (i + 1), rig.base, stream, "?ll=tree");
      List<String> requests = new CopyOnWriteArrayList<>();
      p.page.onRequest(
          r -> {
            // What the loader may answer from the store: parts, whole segments and the init.
            if (r.url().contains("/ll/") && !r.url().contains("index.m3u8")) {
              requests.add(r.url());
            }
          });
      partRequests.put(p, requests);
      p.waitJoined(); // one at a time, so each takes the slot under the one before
      chain.add(p);
    }
    // By default the plain page opens last, so its first frame is not measured on a quieter
    // machine.
    if (plain == null) {
      plain = PageViewer.open(chromium, "plain", rig.base, stream, "?ll=1&p2p=0");
    }
    List<PageViewer> all = new ArrayList<>(chain);
    all.add(plain);
    for (PageViewer p : all) {
      p.waitPlaying();
    }
    // The first parts come over HTTP while the links form: measure from a few seconds on.
    Thread.sleep(4000);
    Map<PageViewer, Map<String, Object>> before = new HashMap<>();
    Map<PageViewer, Integer> httpPartsBefore = new HashMap<>();
    Map<PageViewer, Double> startTimes = new HashMap<>();
    for (PageViewer p : all) {
      before.put(p, p.state());
      startTimes.put(p, p.currentTime());
      httpPartsBefore.put(p, partRequests.getOrDefault(p, List.of()).size());
    }
    Map<PageViewer, List<Double>> behind = new HashMap<>();
    all.forEach(p -> behind.put(p, new ArrayList<>()));
    long end = System.currentTimeMillis() + PLAY_SECONDS * 1000L;
    while (System.currentTimeMillis() < end) {
      Thread.sleep(500);
      for (PageViewer p : all) {
        Object b =
            p.page.evaluate(
                "() => { const h = window.waterfall.hls;"
                    + " return h && h.playingDate ? Date.now() - h.playingDate.getTime() : null; }");
        if (b instanceof Number n) {
          behind.get(p).add(n.doubleValue() / 1000);
        }
      }
    }
    Thread.sleep(300); // one more state refresh (every 250 ms)
    for (PageViewer p : all) {
      writeTrace(p);
    }
    Map<PageViewer, Map<String, Object>> after = new HashMap<>();
    Map<PageViewer, Double> played = new HashMap<>();
    for (PageViewer p : all) {
      after.put(p, p.state());
      played.put(p, p.currentTime() - startTimes.get(p));
    }
    JsonNode tree = Http.json(rig.base + "/api/streams/" + stream + "/tree");
    String why =
        "tree "
            + tree
            + "\n"
            + all.stream().map(PageViewer::describe).collect(Collectors.joining("\n"));

    Map<String, PageViewer> byId = new HashMap<>();
    for (PageViewer p : chain) {
      byId.put((String) after.get(p).get("nodeId"), p);
    }
    StringBuilder json = new StringBuilder("{\"playedSeconds\":" + PLAY_SECONDS + ",\"pages\":[");
    int underPages = 0;
    for (PageViewer p : all) {
      Map<String, Object> s = after.get(p);
      Map<String, Object> b = before.get(p);
      double fromStore = p2p(s, "partsFromStore") - p2p(b, "partsFromStore");
      double byHttp = p2p(s, "partsByHttp") - p2p(b, "partsByHttp");
      int httpRequests =
          partRequests.getOrDefault(p, List.of()).size() - httpPartsBefore.getOrDefault(p, 0);
      // A part late in the store is fetched while the store may still win; the loser is aborted.
      double aborted = p2p(s, "partFetchesAborted") - p2p(b, "partFetchesAborted");
      double partBytes = p2p(s, "partBytesFromParent") - p2p(b, "partBytesFromParent");
      double fromParent = p2p(s, "bytesFromParent") - p2p(b, "bytesFromParent");
      double byFallback = p2p(s, "bytesByFallback") - p2p(b, "bytesByFallback");
      List<Double> lags = new ArrayList<>();
      if (s.get("p2p") instanceof Map<?, ?> m && m.get("partLagMs") instanceof List<?> l) {
        l.forEach(x -> lags.add(((Number) x).doubleValue()));
      }
      Object depth = p == plain ? null : s.get("depth");
      String line =
          String.format(
              Locale.ROOT,
              "{\"page\":\"%s\",\"depth\":%s,\"mode\":\"%s\",\"behindLiveP50\":%.2f,\"behindLiveP95\":%.2f,"
                  + "\"firstFrameMs\":%.0f,\"partsFromStore\":%.0f,\"partsByHttp\":%.0f,\"partShare\":%.3f,"
                  + "\"partBytesFromParent\":%.0f,\"p2pShare\":%.3f,\"partArrivalP50Ms\":%.0f,"
                  + "\"partArrivalP95Ms\":%.0f,\"played\":%.1f,\"stallsDataLate\":%.0f,\"stalledMs\":%.0f,"
                  + "\"stallsAfterStart\":%.0f,\"stalledMsAfterStart\":%.0f}",
              p.name,
              depth,
              s.get("mode"),
              LlHlsIT.pct(behind.get(p), 50),
              LlHlsIT.pct(behind.get(p), 95),
              number(s, "startedAt"),
              fromStore,
              byHttp,
              fromStore / Math.max(1, fromStore + byHttp),
              partBytes,
              fromParent / Math.max(1, fromParent + byFallback),
              LlHlsIT.pct(lags, 50),
              LlHlsIT.pct(lags, 95),
              played.get(p),
              number(s, "stallsDataLate") - number(b, "stallsDataLate"),
              number(s, "stalledMs") - number(b, "stalledMs"),
              number(s, "stallsDataLate"),
              number(s, "stalledMs"));
      System.out.println("LlPagesIT: " + line);
      json.append(p == all.get(0) ? "\n " : ",\n ").append(line);
      // It kept playing. Stalls are counted and reported, not asserted zero: LL through the tree is
      // opt-in (?ll=tree) because its pages stall once or twice after start, each while another
      // page starts on this 2-core machine (the origin's own HTTP then answers in 0.7-0.9 s too;
      // target/ll-trace-*.json shows it), which the plain page, opened last, never plays through
      // (docs/benchmarks.md). Zero stalls is the bar for making it the default; a stall of seconds
      // fails here now.
      assertThat(played.get(p))
          .as(p.name + " played through the window; " + why)
          .isGreaterThan(PLAY_SECONDS - 3);
      assertThat(number(s, "stalledMs") - number(b, "stalledMs"))
          .as(p.name + " stalled in the window, ms; " + why)
          .isLessThan(2000);
      assertThat(behind.get(p)).as(p.name + " played with program dates; " + why).isNotEmpty();
      if (p == plain) {
        assertThat(s.get("mode")).as(why).isEqualTo("ll");
        continue;
      }
      assertThat(s.get("mode")).as(p.name + " " + why).isEqualTo("ll-p2p");
      JsonNode n = node(tree, (String) s.get("nodeId"));
      assertThat(n).as(p.name + " in the tree; " + why).isNotNull();
      String parent = n.get("parent").textValue();
      assertThat(s.get("parentId")).as(p.name + " linked to its parent; " + why).isEqualTo(parent);
      // Every chain page's parts came down its link, verified, and its player took them from there.
      assertThat(partBytes).as(p.name + " part bytes from its parent; " + why).isGreaterThan(0);
      assertThat(fromStore).as(p.name + " parts from its store; " + why).isGreaterThan(0);
      // What the store answered never reached the network: the page's init, part and segment
      // requests are its HTTP ones (a few more: fetches aborted or retried by hls.js).
      assertThat(httpRequests)
          .as(p.name + " part requests on the network; " + why)
          .isBetween((int) byHttp, (int) (byHttp + aborted) + 3);
      // Its children all take parts only, so it took the stream once, as parts, not the classic
      // segments too.
      assertThat(partBytes / fromParent)
          .as(p.name + ": what its parent sent was parts; " + why)
          .isGreaterThan(0.95);
      if (byId.containsKey(parent)) {
        underPages++;
        assertThat(fromStore / (fromStore + byHttp))
            .as(p.name + ": most of hls.js's parts from its store, under a page; " + why)
            .isGreaterThanOrEqualTo(0.5);
        assertThat(p2p(after.get(byId.get(parent)), "bytesSentToChildren"))
            .as(why)
            .isGreaterThan(0);
      }
    }
    assertThat(underPages).as("pages under pages; " + why).isGreaterThanOrEqualTo(1);
    json.append("]}\n");
    Files.writeString(Path.of("target", "ll-pages.json"), json.toString());
    for (PageViewer p : all) {
      p.close();
    }
  }

  /**
   * Writes target/ll-trace-&lt;page&gt;.json for a stall's diagnosis: the page's recent LL loads
   * (node.partLoads: when hls.js asked for each part and playlist reload, what it held ahead, the
   * part's deadline, how the answer came and in how many ms), each part joined with its header's
   * and last chunk's arrival and its signed cut time (ms relative to the ask), the page's events
   * and its stall counts.
   */
  private static void writeTrace(PageViewer p) throws java.io.IOException {
    Object trace =
        p.page.evaluate(
            "() => { const n = window.waterfall.node || {}; const st = window.waterfall.state;"
                + " const parts = n.parts; const loads = (n.partLoads || []).map((e) => {"
                + " const m = /^part-(\\d+)/.exec(e.name); const id = m ? Number(m[1]) : -1;"
                + " const s = parts ? parts.status(id) : null; if (!s) return e;"
                + " return Object.assign({}, e, { header: s.headerAtMillis - e.wall,"
                + " complete: s.completeAtMillis > 0 ? s.completeAtMillis - e.wall : null,"
                + " cut: s.producedAtMillis - e.wall, index: parts.header(id).index }); });"
                + " return JSON.stringify({ now: Math.round(performance.now()), loads: loads,"
                + " events: st.events, stallsDataLate: st.stallsDataLate,"
                + " stallsPageBusy: st.stallsPageBusy, stalledMs: st.stalledMs }); }");
    Files.writeString(Path.of("target", "ll-trace-" + p.name + ".json"), String.valueOf(trace));
  }

  /** A figure of state.p2p (the node's stats), 0 when absent; bytesSentToChildren is top-level. */
  private static double p2p(Map<String, Object> state, String key) {
    if (state.get(key) instanceof Number n) {
      return n.doubleValue();
    }
    return state.get("p2p") instanceof Map<?, ?> m && m.get(key) instanceof Number n
        ? n.doubleValue()
        : 0;
  }
}

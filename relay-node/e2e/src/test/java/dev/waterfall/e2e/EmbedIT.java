package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Frame;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The player on another site: a page served from another origin (another port of 127.0.0.1) embeds
 * the stream as an iframe of /embed/<stream>, or plays it with its own hls.js through
 * waterfall-p2p.js. Either way the page is a node of the tree and takes the stream from its parent
 * over WebRTC, as /watch/<stream> does.
 */
@DisplayName(
    "the player embedded on another site: an iframe, and the site's own hls.js with waterfall-p2p.js")
class EmbedIT extends BrowserFixture {
  private static final String STREAM = "embedded";
  private static HttpServer site;
  private static String siteBase;

  @BeforeAll
  static void startSite() throws Exception {
    relays(STREAM, 4, false);
    site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    site.createContext(
        "/",
        exchange -> {
          String html =
              switch (exchange.getRequestURI().getPath()) {
                case "/iframe.html" ->
                    "<!doctype html><title>a site</title><h1>our stream</h1><iframe id=\"player\" src=\""
                        + rig.base
                        + "/embed/"
                        + STREAM
                        + "\" width=\"640\" height=\"360\" allow=\"autoplay; fullscreen\">"
                        + "</iframe>";
                case "/framed-watch.html" ->
                    "<!doctype html><title>a site</title><iframe src=\""
                        + rig.base
                        + "/watch/"
                        + STREAM
                        + "\"></iframe>";
                // The dashboard's snippet, as a site owner pastes it.
                case "/module.html" ->
                    "<!doctype html><title>a site</title><video controls muted autoplay playsinline>"
                        + "</video><script src=\""
                        + rig.base
                        + "/web/vendor/hls.min.js\"></script><script type=\"module\">"
                        + "import { WaterfallP2P } from '"
                        + rig.base
                        + "/web/waterfall-p2p.js';"
                        + "const video = document.querySelector('video');"
                        + "try {"
                        + "  const p2p = await WaterfallP2P.join({ Hls, server: '"
                        + rig.base
                        + "', stream: '"
                        + STREAM
                        + "', video });"
                        + "  const hls = new Hls(p2p.hlsConfig());"
                        + "  p2p.attach(hls);"
                        + "  hls.loadSource(p2p.playlistUrl);"
                        + "  hls.attachMedia(video);"
                        + "  window.p2p = p2p;"
                        + "} catch (e) { window.joinError = String(e); }"
                        + "</script>";
                default -> null;
              };
          byte[] body = (html == null ? "not found" : html).getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .set("Content-Type", html == null ? "text/plain" : "text/html; charset=utf-8");
          exchange.sendResponseHeaders(html == null ? 404 : 200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    site.start();
    siteBase = "http://127.0.0.1:" + site.getAddress().getPort();
  }

  @AfterAll
  static void stopSite() {
    if (site != null) {
      site.stop(0);
    }
  }

  @Test
  @DisplayName(
      "an iframe of /embed/<stream> on another origin autoplays muted as a node of the tree")
  void iframe() throws Exception {
    Page page = chromium.newPage();
    List<String> console = console(page);
    page.navigate(siteBase + "/iframe.html");
    Frame player = playerFrame(page, "/embed/");
    String why = "";
    try {
      player.waitForFunction(
          "() => window.waterfall && window.waterfall.state.startedAt !== null"
              + " && window.waterfall.state.mode === 'p2p'",
          null,
          new Frame.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
      double first =
          ((Number) player.evaluate("() => window.waterfall.video.currentTime")).doubleValue();
      player.waitForFunction(
          "t => window.waterfall.video.currentTime >= t"
              + " && window.waterfall.state.bytesFromParent > 0",
          first + 4,
          new Frame.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(250));
    } finally {
      why = "frame state " + state(player) + ", console " + console;
      System.out.println("EmbedIT: " + why);
    }
    Map<String, Object> s = state(player);
    assertThat(s.get("phase")).as(why).isEqualTo("playing");
    assertThat(((Number) s.get("stallsDataLate")).intValue()).as(why).isZero();
    assertThat(player.evaluate("() => window.waterfall.video.muted")).isEqualTo(true);
    assertThat(player.evaluate("() => document.getElementById('play').hidden"))
        .as("no play button while playing")
        .isEqualTo(true);
    assertThat(inTree((String) s.get("nodeId"))).as(why).isTrue();
    page.context().close();
  }

  @Test
  @DisplayName(
      "a site's own hls.js plays the stream from the tree with waterfall-p2p.js (the dashboard's snippet)")
  void ownHlsJs() throws Exception {
    Page page = chromium.newPage();
    List<String> console = console(page);
    page.navigate(siteBase + "/module.html");
    String why = "";
    try {
      page.waitForFunction(
          "() => window.joinError || (window.p2p && window.p2p.stats().bytesFromParent > 0"
              + " && document.querySelector('video').currentTime > 4)",
          null,
          new Page.WaitForFunctionOptions().setTimeout(40_000).setPollingInterval(250));
    } finally {
      why =
          "join error "
              + page.evaluate("() => window.joinError || null")
              + ", stats "
              + page.evaluate("() => window.p2p ? JSON.stringify(window.p2p.stats()) : null")
              + ", console "
              + console;
      System.out.println("EmbedIT: " + why);
    }
    assertThat(page.evaluate("() => window.joinError || null")).as(why).isNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> stats = (Map<String, Object>) page.evaluate("() => window.p2p.stats()");
    assertThat(stats.get("parentId")).as(why).isNotNull();
    assertThat(((Number) stats.get("bytesFromParent")).longValue()).as(why).isPositive();
    assertThat(inTree((String) stats.get("nodeId"))).as(why).isTrue();
    page.context().close();
  }

  @Test
  @DisplayName(
      "another site cannot frame /watch/<stream> (frame-ancestors 'self'): /embed is the page for that")
  void watchPageRefusesToBeFramed() {
    Page page = chromium.newPage();
    page.navigate(siteBase + "/framed-watch.html");
    Frame frame = playerFrame(page, "/watch/");
    page.waitForTimeout(2000);
    Object ran;
    try {
      ran = frame.evaluate("() => !!window.waterfall");
    } catch (PlaywrightException e) {
      ran = false; // Chromium's error page in the frame's place
    }
    assertThat(ran)
        .as("the framed /watch page must not run; frame " + frame.url())
        .isEqualTo(false);
    page.context().close();
  }

  /** The iframe whose URL contains {@code path}, once it is there. */
  private static Frame playerFrame(Page page, String path) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      for (Frame f : page.frames()) {
        if (f != page.mainFrame()
            && (f.url().contains(path) || f.url().startsWith("chrome-error:"))) {
          return f;
        }
      }
      page.waitForTimeout(100);
    }
    throw new AssertionError(
        "no iframe of " + path + " in " + page.frames().stream().map(Frame::url).toList());
  }

  private static boolean inTree(String nodeId) {
    for (JsonNode n : treeView(STREAM).get("nodes")) {
      if (n.get("id").textValue().equals(nodeId)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> console(Page page) {
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
    page.onPageError(e -> console.add("pageerror: " + e));
    return console;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> state(Frame frame) {
    return (Map<String, Object>)
        frame.evaluate(
            "() => window.waterfall ? JSON.parse(JSON.stringify("
                + "window.waterfall.state)) : null");
  }
}

package dev.waterfall.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.testkit.chromium.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One /watch page in its own browser context, as the browser ITs drive it; reads window.waterfall.
 */
final class PageViewer {
  final Page page;
  final String name;
  final List<String> console = Collections.synchronizedList(new ArrayList<>());

  /**
   * The types of the signalling messages the page sent, in order (heartbeats and signals left out).
   */
  final List<String> sent = Collections.synchronizedList(new ArrayList<>());

  private PageViewer(String name, Page page) {
    this.name = name;
    this.page = page;
    page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
    page.onPageError(e -> console.add("pageerror: " + e));
    page.onWebSocket(
        ws ->
            ws.onFrameSent(
                f -> {
                  java.util.regex.Matcher m = TYPE.matcher(f.text() == null ? "" : f.text());
                  if (m.find() && !m.group(1).equals("heartbeat") && !m.group(1).equals("signal")) {
                    sent.add(m.group(1));
                  }
                }));
  }

  private static final java.util.regex.Pattern TYPE =
      java.util.regex.Pattern.compile("\"type\":\"([a-z-]+)\"");

  /**
   * A page that may link to other pages over WebRTC, at {@code base}/watch/{@code stream}{@code
   * query}.
   */
  static PageViewer open(Chromium chromium, String name, String base, String stream, String query) {
    return open(name, chromium.newPeerPage(), base, stream, query);
  }

  /**
   * As {@link #open(Chromium, String, String, String, String)} on a page the caller prepared (init
   * scripts).
   */
  static PageViewer open(String name, Page page, String base, String stream, String query) {
    PageViewer v = new PageViewer(name, page);
    page.navigate(base + "/watch/" + stream + query);
    return v;
  }

  void waitFor(String predicate, Object arg, double timeoutMs) {
    try {
      page.waitForFunction(
          predicate,
          arg,
          new Page.WaitForFunctionOptions().setTimeout(timeoutMs).setPollingInterval(100));
    } catch (com.microsoft.playwright.TimeoutError e) {
      throw new AssertionError(
          "waited " + timeoutMs + " ms for " + predicate + " (" + arg + "): " + describe(), e);
    }
  }

  void waitJoined() {
    waitFor("() => window.waterfall && window.waterfall.state.nodeId !== null", null, 30_000);
  }

  void waitPlaying() {
    waitFor("() => window.waterfall && window.waterfall.state.startedAt !== null", null, 30_000);
  }

  /** Waits until the playhead reaches {@code t} seconds. */
  void waitTime(double t, double timeoutMs) {
    waitFor("t => window.waterfall.video.currentTime >= t", t, timeoutMs);
  }

  double currentTime() {
    return ((Number) page.evaluate("() => window.waterfall.video.currentTime")).doubleValue();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> state() {
    return (Map<String, Object>)
        page.evaluate("() => JSON.parse(JSON.stringify(window.waterfall.state))");
  }

  String nodeId() {
    return (String) page.evaluate("() => window.waterfall.state.nodeId");
  }

  void screenshot(Path dir, String file) throws Exception {
    Files.createDirectories(dir);
    page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(file)));
  }

  /** Closes the tab as a viewer would: unload handlers run, so the page gets pagehide. */
  void close() {
    if (!page.isClosed()) {
      // Without runBeforeUnload Playwright skips the unload handlers (and pagehide with them).
      page.waitForClose(
          new Page.WaitForCloseOptions().setTimeout(10_000),
          () -> page.close(new Page.CloseOptions().setRunBeforeUnload(true)));
    }
    page.context().close();
  }

  /**
   * The renderer dies: no pagehide, no leave; the coordinator only sees the socket drop.
   * chrome://crash is a debug URL the browser hands to the current renderer, which crashes at once
   * (CDP Page.crash would do the same but its answer never comes, and Playwright waits for it
   * forever).
   */
  void crash() {
    boolean[] crashed = {false};
    page.onCrash(p -> crashed[0] = true);
    try {
      page.navigate("chrome://crash", new Page.NavigateOptions().setTimeout(5000));
    } catch (RuntimeException e) {
      // "page crashed": what we wanted
    }
    try {
      page.waitForCondition(
          () -> crashed[0], new Page.WaitForConditionOptions().setTimeout(10_000));
    } catch (com.microsoft.playwright.PlaywrightException e) {
      if (!e.getMessage().contains("crashed")) {
        throw e;
      }
    }
  }

  String describe() {
    Object s;
    try {
      s = page.isClosed() ? "closed" : state();
    } catch (RuntimeException e) {
      s = "gone (" + e.getMessage().lines().findFirst().orElse("") + ")";
    }
    return name + " " + s + " console " + console;
  }

  static double number(Map<String, Object> state, String key) {
    return ((Number) state.get(key)).doubleValue();
  }

  /** The node {@code id} in a /api/streams/{name}/tree answer, or null. */
  static JsonNode node(JsonNode tree, String id) {
    for (JsonNode n : tree.get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n;
      }
    }
    return null;
  }
}

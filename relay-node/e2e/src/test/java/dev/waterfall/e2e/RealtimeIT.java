package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Realtime mode end to end in headless Chromium: the publisher page sends the fake camera, viewer
 * pages and a Java booster receive it over RTCPeerConnections and forward it to their children, and
 * a repair re-routes media within seconds (the test: a publisher page, one booster and 6
 * viewer pages in two levels).
 */
@DisplayName(
    "realtime mode: camera → publisher page → booster and viewer pages forwarding media tracks")
class RealtimeIT extends BrowserFixture {
  /** The target for "they render again"; measured and reported. */
  private static final long TARGET_RECOVERY_MS = 2000;

  /**
   * What this test asserts: the target plus room for a 2-core machine shared with other builds
   * (measured here: 0.6-1.3 s from closing the page to the first frame decoded from the new parent,
   * polling slop included).
   */
  private static final long ASSERTED_RECOVERY_MS = 3000;

  @Test
  @DisplayName(
      "publisher page, booster and 6 viewer pages in two levels all decode; a viewer with children leaves"
          + " and they render again")
  void mediaFlowsDownTheTreeAndSurvivesARepair() throws Exception {
    String stream = "realtime";
    String key = rig.createRealtimeStream(stream, 3);

    Tab publisher = new Tab(chromium.newPeerPage());
    // A small picture keeps seven pages' decoding and re-encoding affordable on two shared cores.
    publisher.page.navigate(
        rig.base + "/publish/" + stream + "?width=320&height=240&fps=15#key=" + key);
    publisher.page.click("#camera");
    publisher.page.waitForFunction(
        "() => window.waterfall.state.phase === 'live'",
        null,
        new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));
    assertThat(publisher.page.url()).as("the key leaves the address bar").doesNotContain(key);

    // Placement with maxChildren 3 (docs/architecture.md): v1-v3 fill the publisher's slots and v4,
    // v5 go under the oldest of them, v1. The booster then takes the place of the youngest leaf
    // under the publisher, v3 (backbone displacement), which moves under it, and v6 goes under the
    // booster (boosters first among parents): publisher → {v1, v2, booster}; v1 → {v4, v5}; booster
    // → {v3, v6}.
    List<Tab> viewers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      viewers.add(viewer(stream));
    }
    Relay booster = rig.booster(stream);
    String boosterId = booster.node().nodeId();
    Tab v3 = viewers.get(2);
    v3.waitFor("s => s.parentId === '" + boosterId + "' && s.framesDecoded > 0", 30_000);
    double v3Moved = number(v3.state(), "framesDecoded");
    v3.waitFor("s => s.framesDecoded > " + v3Moved, 10_000);
    viewers.add(viewer(stream));

    String publisherId = (String) publisher.state().get("nodeId");
    JsonNode tree = tree(stream);
    String why = "tree " + tree + ", states " + states(viewers);
    System.out.println("RealtimeIT: " + why);
    assertThat(children(tree, publisherId))
        .as(why)
        .containsExactlyInAnyOrder(viewers.get(0).id(), viewers.get(1).id(), boosterId);
    assertThat(children(tree, viewers.get(0).id()))
        .as(why)
        .containsExactlyInAnyOrder(viewers.get(3).id(), viewers.get(4).id());
    assertThat(children(tree, boosterId))
        .as(why)
        .containsExactlyInAnyOrder(v3.id(), viewers.get(5).id());
    assertThat(node(tree, boosterId).get("role").textValue()).isEqualTo("booster");
    for (Tab v : viewers) {
      assertThat(v.state().get("parentId"))
          .as(why)
          .isEqualTo(node(tree, v.id()).get("parent").textValue());
      assertThat(node(tree, v.id()).get("depth").intValue()).as(why).isBetween(1, 2);
    }

    Map<Tab, Double> before = frames(viewers);
    Thread.sleep(2000);
    Map<Tab, Double> after = frames(viewers);
    for (Tab v : viewers) {
      assertThat(after.get(v))
          .as("frames decoded rise at " + v.id() + ": " + before + " → " + after + "; " + why)
          .isGreaterThan(before.get(v) + 5);
      assertThat(
              ((Number) v.page.evaluate("() => window.waterfall.video.currentTime")).doubleValue())
          .as("the video element plays at " + v.id())
          .isGreaterThan(0);
    }
    assertThat(number(publisher.state(), "children")).as(why).isEqualTo(3);
    assertThat(booster.node().children()).as(why).isEqualTo(2);
    boosterStats(stream, booster);
    // A page's heartbeat carries its frame rate too: the dashboard shows it, green while video
    // flows.
    JsonNode page =
        dashboardNode(stream, viewers.get(5).id(), d -> d.path("fps").doubleValue() > 5, 20_000);
    assertThat(page.get("health").textValue()).as(page.toString()).isEqualTo("green");
    java.nio.file.Files.createDirectories(SCREENSHOTS);
    publisher.page.screenshot(
        new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("realtime-publisher.png")));
    viewers
        .get(5)
        .page
        .screenshot(
            new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("realtime-viewer.png")));

    // v1, a depth-1 viewer with two children, leaves: its children must take media from elsewhere.
    Tab leaving = viewers.get(0);
    String leavingId = leaving.id();
    List<Tab> orphans =
        viewers.stream().filter(v -> leavingId.equals(v.state().get("parentId"))).toList();
    assertThat(orphans).as(why).hasSize(2);
    List<Tab> others = new ArrayList<>(viewers);
    others.remove(leaving);
    others.removeAll(orphans);
    Map<Tab, Double> othersBefore = frames(others);

    // Measured by the orphans themselves (epoch ms, one machine's clock): from the close to the
    // first frame of the new parent on screen (requestVideoFrameCallback), with each setup step
    // between, so neither this test's polling of loaded pages nor the page's 250 ms stats poll adds
    // to the figure.
    long closedAt = System.currentTimeMillis();
    leaving.close();
    Map<Tab, Map<String, Object>> switches = new LinkedHashMap<>();
    long deadline = System.currentTimeMillis() + 20_000;
    while (switches.size() < orphans.size() && System.currentTimeMillis() < deadline) {
      for (Tab o : orphans) {
        @SuppressWarnings("unchecked")
        Map<String, Object> last =
            (Map<String, Object>)
                o.page.evaluate(
                    "() => JSON.parse(JSON.stringify(window.waterfall.realtime.stats.lastSwitch))");
        if (last != null
            && !leavingId.equals(last.get("parentId"))
            && last.get("rendered") instanceof Number) {
          switches.put(o, last);
        }
      }
      Thread.sleep(50);
    }
    Map<String, Long> renderingMs = new LinkedHashMap<>();
    Map<String, Map<String, Long>> steps = new LinkedHashMap<>();
    switches.forEach(
        (o, last) -> {
          Map<String, Long> relative = new LinkedHashMap<>();
          last.forEach(
              (step, at) -> {
                if (at instanceof Number n) {
                  relative.put(step, n.longValue() - closedAt);
                }
              });
          steps.put(o.id(), relative);
          renderingMs.put(o.id(), relative.get("rendered"));
        });
    String after2 =
        "orphans "
            + orphans.stream().map(Tab::id).toList()
            + ", their switches (ms after the close) "
            + steps
            + "; tree "
            + tree(stream)
            + "; states "
            + states(orphans)
            + "; consoles "
            + orphans.stream().map(t -> t.console).toList();
    System.out.println("RealtimeIT: " + after2);
    assertThat(renderingMs).as(after2).hasSize(orphans.size());
    long worst = Collections.max(renderingMs.values());
    System.out.println(
        "RealtimeIT: re-render after the parent closed "
            + renderingMs
            + " ms, worst "
            + worst
            + " ms (target "
            + TARGET_RECOVERY_MS
            + " ms: "
            + (worst <= TARGET_RECOVERY_MS ? "MET" : "MISSED")
            + ")");
    assertThat(worst).as(after2).isLessThanOrEqualTo(ASSERTED_RECOVERY_MS);

    // Everyone left keeps decoding: the orphans from their new parents, the others as if nothing
    // happened.
    List<Tab> remaining = new ArrayList<>(viewers);
    remaining.remove(leaving);
    Map<Tab, Double> mid = frames(remaining);
    Thread.sleep(2000);
    Map<Tab, Double> end = frames(remaining);
    for (Tab v : remaining) {
      assertThat(end.get(v))
          .as("still decoding at " + v.id() + ": " + mid + " → " + end)
          .isGreaterThan(mid.get(v) + 5);
    }
    for (Tab v : others) {
      assertThat(end.get(v)).isGreaterThan(othersBefore.get(v));
    }
    JsonNode finalTree = tree(stream);
    // publisher, booster, 5
    assertThat(finalTree.get("size").intValue()).as("tree " + finalTree).isEqualTo(7);
    assertThat(node(finalTree, leavingId)).isNull();
    for (Tab v : remaining) {
      assertThat(v.state().get("parentId"))
          .as("tree " + finalTree)
          .isEqualTo(node(finalTree, v.id()).get("parent").textValue());
      assertThat(node(finalTree, v.id()).get("depth").intValue())
          .as("tree " + finalTree)
          .isBetween(1, 2);
    }

    for (Tab v : remaining) {
      v.close();
    }
    booster.close();
    publisher.close();
  }

  /**
   * A realtime booster's heartbeat and /metrics tell of its media tracks: frames in from its
   * parent, frames encoded and bytes sent to each of its 2 children (15 fps each), and its CPU on
   * the dashboard.
   */
  private static void boosterStats(String stream, Relay booster) throws Exception {
    String id = booster.node().nodeId();
    JsonNode n =
        dashboardNode(
            stream,
            id,
            d ->
                d.path("fps").doubleValue() > 5
                    && d.path("framesSentPerSecond").doubleValue() > 10
                    && d.has("cpuPercent"),
            20_000);
    System.out.println("RealtimeIT: the booster on the dashboard " + n);
    assertThat(n.get("health").textValue()).as(n.toString()).isEqualTo("green");
    assertThat(n.get("cpuPercent").doubleValue()).as(n.toString()).isGreaterThan(0);
    assertThat(n.has("bufferSeconds")).as(n.toString()).isFalse();
    assertThat(StreamRig.metric(booster, "waterfall_relay_children")).isEqualTo(2);
    assertThat(StreamRig.metric(booster, "waterfall_relay_realtime_frames_from_parent_total"))
        .isGreaterThan(30);
    assertThat(StreamRig.metric(booster, "waterfall_relay_realtime_frames_sent_total"))
        .isGreaterThan(30);
    assertThat(StreamRig.metric(booster, "waterfall_relay_bytes_from_parent_total"))
        .isGreaterThan(10_000);
    assertThat(StreamRig.metric(booster, "waterfall_relay_bytes_sent_total")).isGreaterThan(10_000);
  }

  /** The node {@code id} in the dashboard feed's first snapshot that satisfies {@code until}. */
  private static JsonNode dashboardNode(
      String stream, String id, java.util.function.Predicate<JsonNode> until, long timeoutMs)
      throws Exception {
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(rig.base + "/api/streams/" + stream + "/dashboard"))
            .build();
    var client = java.net.http.HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonNode last = null;
    try (var body =
            client.send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream()).body();
        var lines =
            new java.io.BufferedReader(
                new java.io.InputStreamReader(body, java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = lines.readLine();
          line != null && System.currentTimeMillis() < deadline;
          line = lines.readLine()) {
        if (!line.startsWith("data: ")) {
          continue;
        }
        for (JsonNode n :
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(line.substring(6))
                .path("nodes")) {
          if (id.equals(n.path("id").textValue())) {
            last = n;
            if (until.test(n)) {
              return n;
            }
          }
        }
      }
    }
    throw new AssertionError("the dashboard never showed " + id + " as wanted; last " + last);
  }

  private static Tab viewer(String stream) {
    Tab v = new Tab(chromium.newPeerPage());
    v.page.navigate(rig.base + "/watch/" + stream);
    v.waitFor("s => s.mode === 'realtime' && s.parentId !== null && s.framesDecoded > 0", 30_000);
    return v;
  }

  private static List<String> children(JsonNode tree, String id) {
    List<String> out = new ArrayList<>();
    node(tree, id).get("children").forEach(c -> out.add(c.textValue()));
    return out;
  }

  @Test
  @DisplayName(
      "?upload=0 in realtime mode: the page plays but never gets a child; its stats overlay tells where"
          + " it is and how it plays")
  void uploadOff() throws Exception {
    String stream = "realtime-leaf";
    String key = rig.createRealtimeStream(stream, 1);
    Tab publisher = new Tab(chromium.newPeerPage());
    // The clock picture (rt/clock.js), so the overlay can read glass-to-glass latency from the
    // frames.
    publisher.page.navigate(rig.base + "/publish/" + stream + "?fps=15#key=" + key);
    publisher.page.evaluate("() => window.waterfall.start('clock')");
    Tab leaf = new Tab(chromium.newPeerPage());
    leaf.page.navigate(rig.base + "/watch/" + stream + "?upload=0&stats=1");
    leaf.waitFor("s => s.parentId !== null && s.framesDecoded > 0", 30_000);
    Tab later = new Tab(chromium.newPeerPage());
    later.page.navigate(rig.base + "/watch/" + stream);
    // The publisher's only slot holds the leaf, which takes no children: a joiner with a slot takes
    // the leaf's place and adopts it (the capacity swap, docs/architecture.md), and the leaf
    // renders again one level down.
    later.waitFor("s => s.parentId !== null && s.depth === 1 && s.framesDecoded > 0", 30_000);
    leaf.waitFor("s => s.parentId === '" + later.id() + "' && s.depth === 2", 20_000);
    double moved = ((Number) leaf.state().get("framesDecoded")).doubleValue();
    leaf.waitFor("s => s.framesDecoded > " + moved, 10_000);
    JsonNode tree = tree(stream);
    JsonNode leafNode = node(tree, leaf.id());
    assertThat(leafNode.get("capacity").intValue()).as("tree " + tree).isZero();
    assertThat(leafNode.get("children").size()).as("tree " + tree).isZero();
    assertThat(leafNode.get("parent").textValue()).as("tree " + tree).isEqualTo(later.id());
    assertThat(leaf.state().get("upload")).isEqualTo(false);

    // The overlay (watch.js draws it, rt/viewer.js gives the rows), opened by ?stats=1. The overlay
    // redraws twice a second from the page's state; a switch in progress shows as "old → new"
    // there, so wait for it to settle on the new parent (run C of session 8 read it mid-switch),
    // and say where it stood. The fps waited for is the overlay's own row, the one asserted below:
    // the state's figure is newer than the overlay's last redraw (session 9's run G waited on the
    // state at > 5 and then read 4.7 from the overlay).
    String laterShort = later.id().substring(0, 8) + "…";
    try {
      leaf.page.waitForFunction(
          "p => { const d = (s) => document.querySelector('#overlay dd[data-stat=\"' + s"
              + " + '\"]'); return d('glass-to-glass') && / ms$/.test(d('glass-to-glass').textContent)"
              + " && d('parent').textContent === p && parseFloat(d('fps').textContent) > 5; }",
          laterShort,
          new Page.WaitForFunctionOptions().setTimeout(10_000).setPollingInterval(100));
    } catch (RuntimeException e) {
      throw new AssertionError(
          "the leaf's overlay never settled under "
              + laterShort
              + ": state "
              + leaf.state()
              + ", switch "
              + leaf.page.evaluate("() => JSON.stringify(window.waterfall.realtime.stats)")
              + ", tree "
              + tree(stream),
          e);
    }
    @SuppressWarnings("unchecked")
    Map<String, String> rows =
        (Map<String, String>)
            leaf.page.evaluate(
                "() => Object.fromEntries([...document"
                    + ".querySelectorAll('#overlay dd')].map(d => [d.dataset.stat, d.textContent]))");
    System.out.println("RealtimeIT: overlay of the leaf " + rows);
    assertThat(rows.get("mode")).isEqualTo("realtime");
    assertThat(rows.get("depth")).as(rows.toString()).isEqualTo("2");
    assertThat(rows.get("parent")).as(rows.toString()).isEqualTo(later.id().substring(0, 8) + "…");
    assertThat(rows.get("children")).as(rows.toString()).isEqualTo("0 (upload off)");
    assertThat(Double.parseDouble(rows.get("fps"))).as(rows.toString()).isGreaterThan(5);
    assertThat(rows.get("bitrate")).as(rows.toString()).matches("[1-9][0-9]* kbps");
    assertThat(rows.get("picture")).as(rows.toString()).isEqualTo("320×240");
    long g2g = Long.parseLong(rows.get("glass-to-glass").replace(" ms", ""));
    assertThat(g2g).as(rows.toString()).isBetween(0L, 5000L);
    later.close();
    leaf.close();
    publisher.close();
  }

  private static Map<Tab, Double> frames(List<Tab> tabs) {
    Map<Tab, Double> out = new LinkedHashMap<>();
    for (Tab t : tabs) {
      out.put(
          t,
          ((Number) t.page.evaluate("() => window.waterfall.realtime.framesDecoded"))
              .doubleValue());
    }
    return out;
  }

  private static List<Map<String, Object>> states(List<Tab> tabs) {
    return tabs.stream().map(Tab::state).toList();
  }

  private static JsonNode tree(String stream) {
    return Http.json(rig.base + "/api/streams/" + stream + "/tree");
  }

  private static JsonNode node(JsonNode tree, String id) {
    for (JsonNode n : tree.get("nodes")) {
      if (n.get("id").textValue().equals(id)) {
        return n;
      }
    }
    return null;
  }

  private static double number(Map<String, Object> state, String key) {
    Object v = state.get(key);
    return v instanceof Number n ? n.doubleValue() : -1;
  }

  private static final class Tab {
    final Page page;
    final List<String> console = Collections.synchronizedList(new ArrayList<>());
    private String id;

    Tab(Page page) {
      this.page = page;
      page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
      page.onPageError(e -> console.add("pageerror: " + e));
    }

    void waitFor(String predicate, long timeoutMs) {
      try {
        page.waitForFunction(
            "p => window.waterfall && (" + predicate + ")(window.waterfall.state)",
            null,
            new Page.WaitForFunctionOptions().setTimeout(timeoutMs).setPollingInterval(100));
      } catch (RuntimeException e) {
        throw new AssertionError(
            "waiting for " + predicate + ": state " + state() + ", console " + console, e);
      }
    }

    String id() {
      if (id == null) {
        id = (String) state().get("nodeId");
      }
      return id;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> state() {
      return (Map<String, Object>)
          page.evaluate("() => JSON.parse(JSON.stringify(window.waterfall.state))");
    }

    void close() {
      page.context().close();
    }
  }
}

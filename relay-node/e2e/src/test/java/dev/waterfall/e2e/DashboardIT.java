package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.SignallingClient;
import dev.waterfall.relay.Relay;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the dashboard in headless Chromium: every node of a live tree, and the offload")
class DashboardIT extends BrowserFixture {

  @Test
  @DisplayName(
      "origin → booster → page A → page B: the SVG draws all four, offload > 0 once the pages play")
  void dashboardShowsTheTreeAndTheOffload() throws Exception {
    String stream = "dashboard";
    // maxChildren 1: a chain, so the origin sends to the booster only and the pages are fed by the
    // tree.
    String key = rig.createStream(stream, 1);
    Relay origin = rig.origin(stream, key);
    Relay booster = rig.booster(stream);
    long deadline = System.currentTimeMillis() + 30_000;
    while (sequences(booster, stream).size() < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    Page a = player(stream, console);
    waitPlaying(a);
    a.waitForFunction(
        "p => window.waterfall.state.parentId === p",
        booster.node().nodeId(),
        new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));
    Page b = player(stream, console);
    waitPlaying(b);
    b.waitForFunction(
        "() => window.waterfall.state.parentId !== null",
        null,
        new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));

    Page dashboard = chromium.newPage();
    dashboard.onConsoleMessage(m -> console.add("dashboard " + m.type() + ": " + m.text()));
    dashboard.onPageError(e -> console.add("dashboard pageerror: " + e));
    dashboard.navigate(rig.base + "/dashboard/" + stream);
    // Every node drawn, none grey (all have sent stats), and a positive offload.
    dashboard.waitForFunction(
        "() => { const s = window.waterfallDashboard.snapshot; return s !== null"
            + " && document.querySelectorAll('#tree svg g.node').length === 4"
            + " && document.querySelectorAll('#tree svg g.node[data-health=\"grey\"]').length === 0"
            + " && s.figures.offload !== null && s.figures.offload > 0; }",
        null,
        new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(250));

    JsonNode tree = Http.json(rig.base + "/api/streams/" + stream + "/tree");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> drawn =
        (List<Map<String, Object>>)
            dashboard.evaluate(
                "() => [...document.querySelectorAll('#tree svg g.node')].map(g => ({id: g.dataset.id, role: g.dataset.role,"
                    + " health: g.dataset.health}))");
    String offloadText = dashboard.textContent("#offload");
    @SuppressWarnings("unchecked")
    Map<String, Object> figures =
        (Map<String, Object>)
            dashboard.evaluate(
                "() => JSON.parse(JSON.stringify(window.waterfallDashboard.snapshot.figures))");
    Files.createDirectories(SCREENSHOTS);
    dashboard.screenshot(
        new Page.ScreenshotOptions()
            .setPath(SCREENSHOTS.resolve("dashboard.png"))
            .setFullPage(true));
    b.screenshot(
        new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("dashboard-player-b.png")));
    String why =
        "tree "
            + tree
            + ", drawn "
            + drawn
            + ", figures "
            + figures
            + ", offload '"
            + offloadText
            + "', console "
            + console;
    System.out.println("DashboardIT: " + why);

    assertThat(drawn).as(why).hasSize(tree.get("size").intValue());
    Map<String, String> roles = new HashMap<>();
    tree.get("nodes").forEach(n -> roles.put(n.get("id").textValue(), n.get("role").textValue()));
    for (Map<String, Object> g : drawn) {
      assertThat(g.get("role")).as(why).isEqualTo(roles.get((String) g.get("id")));
    }
    assertThat(roles.values())
        .as(why)
        .containsExactlyInAnyOrder("origin", "booster", "viewer", "viewer");
    assertThat(((Number) figures.get("viewers")).intValue()).as(why).isEqualTo(2);
    assertThat(((Number) figures.get("offload")).doubleValue()).as(why).isGreaterThan(0);
    assertThat(offloadText).as(why).endsWith("%");
    assertThat(Double.parseDouble(offloadText.replace("%", "").trim())).as(why).isGreaterThan(0);
    assertThat(console).as(why).noneMatch(line -> line.contains("pageerror"));

    dashboard.context().close();
    a.context().close();
    b.context().close();
    booster.close();
    origin.close();
  }

  @Test
  @DisplayName(
      "341 nodes: levels 0-3 drawn node by node (85), depth 4 as one box of 256, so the page stays fast")
  void aBigTreeCollapsesItsDeepLevels() throws Exception {
    String stream = "dashboard-big";
    String key = rig.createStream(stream, 4);
    ObjectMapper json = new ObjectMapper();
    List<SignallingClient> clients = new ArrayList<>();
    // Signalling-only nodes (no media): what the dashboard draws is the coordinator's tree and
    // their heartbeats.
    clients.add(join(stream, "origin", key));
    for (int i = 0; i < 340; i++) {
      clients.add(join(stream, "viewer", null));
    }
    JsonNode originStats = json.readTree("{\"bytesSentToChildren\":4000,\"httpBytesServed\":0}");
    JsonNode viewerStats =
        json.readTree("{\"bytesFromParent\":1000,\"bytesByFallback\":0,\"bufferSeconds\":5}");
    long timer =
        rig.vertx.setPeriodic(
            1000,
            t -> {
              for (int i = 0; i < clients.size(); i++) {
                clients
                    .get(i)
                    .send(new Message.Heartbeat(null, i == 0 ? originStats : viewerStats));
              }
            });
    try {
      Page dashboard = chromium.newPage();
      dashboard.navigate(rig.base + "/dashboard/" + stream);
      dashboard.waitForFunction(
          "() => { const s = window.waterfallDashboard.snapshot; return s !== null"
              + " && s.figures.nodes === 341 && s.figures.offload !== null"
              // every node's heartbeat in, the 256 collapsed ones too: the offload sums them all
              + " && s.levels.every(l => l.green === l.count)"
              + " && document.querySelectorAll('#tree svg g.node[data-health=\"green\"]').length === 85; }",
          null,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(250));
      @SuppressWarnings("unchecked")
      Map<String, Object> drawn =
          (Map<String, Object>)
              dashboard.evaluate(
                  "() => ({"
                      + " nodes: document.querySelectorAll('#tree svg g.node').length,"
                      + " boxes: [...document.querySelectorAll('#tree svg g.collapsed')].map(g => g.dataset.depth + ':' + g.dataset.count),"
                      + " offload: window.waterfallDashboard.snapshot.figures.offload })");
      Files.createDirectories(SCREENSHOTS);
      dashboard.screenshot(
          new Page.ScreenshotOptions()
              .setPath(SCREENSHOTS.resolve("dashboard-collapsed.png"))
              .setFullPage(true));
      System.out.println("DashboardIT (big): " + drawn);
      assertThat(((Number) drawn.get("nodes")).intValue())
          .as(drawn.toString())
          .isEqualTo(1 + 4 + 16 + 64);
      assertThat(drawn.get("boxes")).as(drawn.toString()).isEqualTo(List.of("4:256"));
      assertThat(((Number) drawn.get("offload")).doubleValue())
          .as(drawn.toString())
          .isEqualTo(Math.round((1 - 4000.0 / 340_000) * 1000) / 1000.0);
      dashboard.context().close();
    } finally {
      rig.vertx.cancelTimer(timer);
      clients.forEach(SignallingClient::close);
    }
  }

  @Test
  @DisplayName(
      "the admin's panel: OBS settings from the origin's ingest, and Rotate key shows a new key once")
  void theAdminRotatesThePublishKeyFromTheDashboard() throws Exception {
    String stream = "dashboard-keys";
    String old = rig.createStream(stream, 4);
    // A signalling-only origin announcing an RTMP ingest, as `publish --rtmp 1935 --http-host
    // 192.0.2.10` does.
    SignallingClient origin =
        SignallingClient.connect(rig.vertx, rig.base)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> welcomed = new CompletableFuture<>();
    CompletableFuture<String> cutOff = new CompletableFuture<>();
    origin.onMessage(
        m -> {
          if (m instanceof Message.Welcome) {
            welcomed.complete(null);
          } else if (m instanceof Message.Error e) {
            cutOff.complete(e.code());
          }
        });
    origin.send(
        new Message.Join(
            stream,
            "origin",
            old,
            null,
            null,
            null,
            null,
            null,
            new Message.Ingest("rtmp://192.0.2.10:1935/live", null)));
    welcomed.get(10, TimeUnit.SECONDS);

    Page dashboard = chromium.newPage();
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    dashboard.onPageError(e -> console.add("dashboard pageerror: " + e));
    List<String> dialogs = Collections.synchronizedList(new ArrayList<>());
    dashboard.onDialog(
        d -> {
          dialogs.add(d.message());
          d.accept();
        });
    dashboard.navigate(rig.base + "/dashboard/" + stream);
    assertThat(dashboard.textContent("#watch-url")).isEqualTo(rig.base + "/watch/" + stream);
    assertThat(dashboard.textContent("#embed-url")).isEqualTo(rig.base + "/embed/" + stream);

    // A wrong token: the coordinator's refusal, in words, and nothing shown.
    dashboard.fill("#admin-token", "not-the-admin-token-0123456789");
    dashboard.click("#admin-form button[type=submit]");
    dashboard.waitForFunction(
        "() => window.waterfallDashboard.publishing.error !== null",
        null,
        new Page.WaitForFunctionOptions().setTimeout(10_000));
    assertThat(dashboard.textContent("#admin-status")).contains("not valid");
    assertThat(dashboard.isHidden("#admin-panel")).isTrue();

    dashboard.fill("#admin-token", StreamRig.ADMIN);
    dashboard.click("#admin-form button[type=submit]");
    dashboard.waitForFunction(
        "() => window.waterfallDashboard.publishing.admin",
        null,
        new Page.WaitForFunctionOptions().setTimeout(10_000));
    assertThat(dashboard.textContent("#rtmp-server")).isEqualTo("rtmp://192.0.2.10:1935/live");
    assertThat(dashboard.textContent("#rtmp-key")).startsWith("the publish key");
    assertThat(dashboard.isVisible("#rtmp-plain")).as("plain rtmp://: the key goes clear").isTrue();
    assertThat(dashboard.isVisible("#whip-none")).as("no WHIP announced").isTrue();
    assertThat(dashboard.isHidden("#whip")).isTrue();
    assertThat(dashboard.isHidden("#new-key")).as("no key before a rotation").isTrue();

    dashboard.check("#disconnect");
    dashboard.click("#rotate");
    dashboard.waitForFunction(
        "() => window.waterfallDashboard.publishing.rotations === 1",
        null,
        new Page.WaitForFunctionOptions().setTimeout(10_000));
    String fresh = dashboard.textContent("#publish-key");
    Files.createDirectories(SCREENSHOTS);
    dashboard.screenshot(
        new Page.ScreenshotOptions()
            .setPath(SCREENSHOTS.resolve("dashboard-keys.png"))
            .setFullPage(true));
    String why =
        "dialogs "
            + dialogs
            + ", console "
            + console
            + ", status "
            + dashboard.textContent("#admin-status");
    assertThat(dialogs)
        .as(why)
        .singleElement()
        .asString()
        .contains("new publish key")
        .contains("cut off now");
    assertThat(fresh).as(why).hasSizeGreaterThan(30).isNotEqualTo(old);
    assertThat(cutOff.get(10, TimeUnit.SECONDS))
        .as("the origin was disconnected")
        .isEqualTo("key-rotated");
    dashboard.click("#copy-key");
    dashboard.waitForFunction(
        "() => document.getElementById('copy-status').textContent !== ''",
        null,
        new Page.WaitForFunctionOptions().setTimeout(5_000));

    // The key the page showed is the one that works now; the old one is refused.
    assertThat(joinError(stream, old)).isEqualTo("bad-credential");
    SignallingClient next = join(stream, "origin", fresh);
    assertThat(console).as(why).isEmpty();
    next.close();
    origin.close();
    dashboard.context().close();
  }

  /** The error an origin joining with {@code key} gets (null if it is welcomed). */
  private static String joinError(String stream, String key) throws Exception {
    SignallingClient c =
        SignallingClient.connect(rig.vertx, rig.base)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    CompletableFuture<String> answer = new CompletableFuture<>();
    c.onMessage(m -> answer.complete(m instanceof Message.Error e ? e.code() : null));
    c.send(new Message.Join(stream, "origin", key, null, null));
    try {
      return answer.get(10, TimeUnit.SECONDS);
    } finally {
      c.close();
    }
  }

  private static SignallingClient join(String stream, String role, String key) throws Exception {
    SignallingClient c =
        SignallingClient.connect(rig.vertx, rig.base)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> welcomed = new CompletableFuture<>();
    c.onMessage(
        m -> {
          if (m instanceof Message.Welcome) {
            welcomed.complete(null);
          }
        });
    // A declared fast uplink: every node gets its 4 slots at once, as measured pages earn them (a
    // newcomer has 1).
    c.send(new Message.Join(stream, role, key, null, "viewer".equals(role) ? 100_000 : null));
    welcomed.get(10, TimeUnit.SECONDS);
    return c;
  }

  private static Page player(String stream, List<String> console) {
    Page p = chromium.newPeerPage();
    p.onPageError(e -> console.add("player pageerror: " + e));
    p.navigate(rig.base + "/watch/" + stream);
    return p;
  }

  private static void waitPlaying(Page p) {
    p.waitForFunction(
        "() => window.waterfall && window.waterfall.state.startedAt !== null",
        null,
        new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
  }
}

package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the player page as a P2P node in headless Chromium")
class P2pPlayerIT extends BrowserFixture {
  private static final String STREAM = "p2pwatch";

  @Test
  @DisplayName(
      "origin → booster → page: the page plays from its parent's DataChannel, ≥ 90% of bytes P2P")
  void playsFromItsParent() throws Exception {
    // maxChildren 1: the origin's one slot goes to the booster, the booster's to the page (depth
    // 2).
    String key = rig.createStream(STREAM, 1);
    Relay origin = rig.origin(STREAM, key);
    Relay booster = rig.booster(STREAM);
    long deadline = System.currentTimeMillis() + 30_000;
    while ((sequences(origin, STREAM).size() < 3 || sequences(booster, STREAM).size() < 3)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(sequences(booster, STREAM)).as("booster playlist").hasSizeGreaterThanOrEqualTo(3);
    String boosterId = booster.node().nodeId();

    Page page = chromium.newPage();
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
    page.onPageError(e -> console.add("pageerror: " + e));
    page.navigate(rig.base + "/watch/" + STREAM + "?p2p=1");
    Map<String, Object> atFour = null;
    try {
      page.waitForFunction(
          "() => window.waterfall && window.waterfall.state.startedAt !== null",
          null,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
      double first =
          ((Number) page.evaluate("() => window.waterfall.video.currentTime")).doubleValue();
      // Startup (the first segments may come over HTTP while the link forms) is left out of the P2P
      // share.
      page.waitForTimeout(4000);
      atFour = state(page);
      page.waitForFunction(
          "t => window.waterfall.video.currentTime >= t",
          first + 8,
          new Page.WaitForFunctionOptions().setTimeout(40_000).setPollingInterval(250));
    } finally {
      Files.createDirectories(SCREENSHOTS);
      page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("p2p-player.png")));
    }
    Thread.sleep(300); // one more state refresh (every 250 ms)
    Map<String, Object> end = state(page);
    String why = "page state " + end + ", at 4 s " + atFour + ", console " + console;
    System.out.println("P2pPlayerIT: " + why);
    assertThat(end.get("mode")).as(why).isEqualTo("p2p");
    assertThat(end.get("parentId")).as(why).isEqualTo(boosterId);
    assertThat(((Number) end.get("depth")).intValue()).as(why).isEqualTo(2);
    assertThat(((Number) end.get("stallsDataLate")).intValue()).as(why).isZero();

    double fromParent = number(end, "bytesFromParent") - number(atFour, "bytesFromParent");
    double byFallback = number(end, "bytesByFallback") - number(atFour, "bytesByFallback");
    assertThat(fromParent).as(why).isGreaterThan(0);
    assertThat(fromParent / (fromParent + byFallback))
        .as("P2P share after startup; " + why)
        .isGreaterThanOrEqualTo(0.9);

    String nodeId = (String) end.get("nodeId");
    JsonNode tree = Http.json(rig.base + "/api/streams/" + STREAM + "/tree");
    JsonNode me = null;
    for (JsonNode n : tree.get("nodes")) {
      if (n.get("id").textValue().equals(nodeId)) {
        me = n;
      }
    }
    assertThat(me).as("page in tree " + tree).isNotNull();
    assertThat(me.get("depth").intValue()).as("tree " + tree).isEqualTo(2);
    assertThat(me.get("parent").textValue()).as("tree " + tree).isEqualTo(boosterId);
    assertThat(me.get("role").textValue()).as("tree " + tree).isEqualTo("viewer");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> state(Page page) {
    return (Map<String, Object>)
        page.evaluate("() => JSON.parse(JSON.stringify(window.waterfall.state))");
  }

  private static double number(Map<String, Object> state, String key) {
    return ((Number) state.get(key)).doubleValue();
  }
}

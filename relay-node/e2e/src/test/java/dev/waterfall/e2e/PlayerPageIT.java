package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the player page in headless Chromium")
class PlayerPageIT extends BrowserFixture {

  @Test
  @DisplayName("/watch/<stream> plays the sample over HLS from a fallback for 6 s without a stall")
  void playsWithoutStalling() throws Exception {
    String key = rig.createStream("watch", 4);
    Relay origin = rig.origin("watch", key);
    rig.booster("watch");
    // A live playlist of at least three segments, so hls.js can start three segments behind the
    // edge at once.
    long deadline = System.currentTimeMillis() + 30_000;
    while (sequences(origin, "watch").size() < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(sequences(origin, "watch")).as("origin playlist").hasSizeGreaterThanOrEqualTo(3);
    JsonNode fallbacks = Http.json(rig.base + "/api/streams/watch/fallbacks").get("fallbacks");

    Page page = chromium.newPage();
    List<String> console = new ArrayList<>();
    page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
    page.onPageError(e -> console.add("pageerror: " + e));
    page.navigate(rig.base + "/watch/watch?p2p=0");
    try {
      page.waitForFunction(
          "() => window.waterfall && window.waterfall.state.startedAt !== null",
          null,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(100));
      double first =
          ((Number) page.evaluate("() => window.waterfall.video.currentTime")).doubleValue();
      page.waitForFunction(
          "t => window.waterfall.video.currentTime >= t",
          first + 6,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(250));
    } finally {
      Files.createDirectories(SCREENSHOTS);
      page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("player.png")));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> state = (Map<String, Object>) page.evaluate("() => window.waterfall.state");
    String why = "page state " + state + ", console " + console;
    assertThat(((Number) state.get("stallsDataLate")).intValue()).as(why).isZero();
    assertThat(state.get("mode")).as(why).isEqualTo("mse");
    assertThat(state.get("source")).as(why).isEqualTo(fallbacks.get(0).textValue());
    assertThat((String) state.get("hlsUrl")).as(why).endsWith("/hls/watch/index.m3u8");
  }
}

package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.waterfall.relay.Relay;
import dev.waterfall.testkit.chromium.Chromium;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What every browser IT starts with: a coordinator with relays (the rig) and one headless Chromium.
 */
abstract class BrowserFixture {
  static final Path SCREENSHOTS = Paths.get("target", "screenshots");
  static StreamRig rig;
  static Chromium chromium;

  @BeforeAll
  static void startRigAndBrowser() throws Exception {
    rig = new StreamRig();
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stopRigAndBrowser() {
    if (chromium != null) {
      chromium.close();
    }
    rig.close();
  }

  /** The origin (and a booster) of a new stream, each holding ≥ 3 segments. */
  static Relay[] relays(String stream, int maxChildren, boolean booster) throws Exception {
    String key = rig.createStream(stream, maxChildren);
    List<Relay> relays = new ArrayList<>();
    relays.add(rig.origin(stream, key));
    if (booster) {
      relays.add(rig.booster(stream));
    }
    long deadline = System.currentTimeMillis() + 30_000;
    for (Relay r : relays) {
      while (StreamRig.sequences(r, stream).size() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      assertThat(StreamRig.sequences(r, stream))
          .as("relay playlist")
          .hasSizeGreaterThanOrEqualTo(3);
    }
    return relays.toArray(new Relay[0]);
  }

  /**
   * A publisher page for a realtime stream: Chromium's fake camera at {@code picture} (e.g.
   * "width=320&height=240&fps=15"), opened on {@code base} with the key in the fragment, live once
   * this returns.
   */
  static Page publishCamera(String base, String stream, String key, String picture) {
    Page publisher = chromium.newPeerPage();
    publisher.navigate(base + "/publish/" + stream + "?" + picture + "#key=" + key);
    publisher.click("#camera");
    publisher.waitForFunction(
        "() => window.waterfall.state.phase === 'live'",
        null,
        new Page.WaitForFunctionOptions().setTimeout(20_000).setPollingInterval(100));
    return publisher;
  }

  /** The coordinator's view of the stream's tree (GET /api/streams/{name}/tree). */
  static JsonNode treeView(String stream) {
    return Http.json(rig.base + "/api/streams/" + stream + "/tree");
  }
}

package dev.waterfall.relay.it;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** What every browser IT starts with: a coordinator with relays (the rig) and one headless Chromium. */
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
}

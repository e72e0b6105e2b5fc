package dev.waterfall.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium driven by Playwright for Java, for the browser tests. Playwright's
 * driver (node and playwright-core, from the driver-bundle jar) is unpacked into java.io.tmpdir and
 * never downloads a browser, so this works offline inside the tests' network namespace. Playwright
 * gives every launch a fresh profile itself (it refuses a --user-data-dir argument).
 */
final class Chromium implements AutoCloseable {
  static final Path EXECUTABLE = Paths.get("/usr/bin/chromium");

  /**
   * docs/DESIGN: without the background-networking flags Chromium keeps dialling out and is
   * refused. Playwright already passes --headless, --no-sandbox and its own --disable-features
   * list; a --disable-features given here replaces that list (Chromium keeps the last one), so
   * WebRTC tests must repeat whatever they still need.
   */
  static final List<String> FLAGS =
      List.of(
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-features=WebRtcHideLocalIpsWithMdns",
          // Realtime mode: getUserMedia gets Chromium's fake camera (a moving test pattern) and
          // microphone (a beep), without a permission prompt.
          "--use-fake-device-for-media-stream",
          "--use-fake-ui-for-media-stream");

  final Playwright playwright;
  final Browser browser;

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  static Chromium launch() {
    if (!EXECUTABLE.toFile().canExecute()) {
      throw new IllegalStateException(
          EXECUTABLE + " missing: apt-get install -y chromium (ensure-packages does)");
    }
    // Set here rather than in the environment so no run, however started, tries to download a
    // browser.
    Playwright playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      Browser browser =
          playwright
              .chromium()
              .launch(
                  new BrowserType.LaunchOptions()
                      .setExecutablePath(EXECUTABLE)
                      .setHeadless(true)
                      .setArgs(FLAGS)
                      .setTimeout(60_000));
      // Into each test class's report (its system-out): the browser moves with every `apt-get
      // upgrade`.
      System.out.println("Chromium " + browser.version() + " (" + EXECUTABLE + ")");
      return new Chromium(playwright, browser);
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  /** A page in its own context: one viewer, with nothing shared with the other pages. */
  Page newPage() {
    BrowserContext context =
        browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800));
    return context.newPage();
  }

  /**
   * A page that may connect to other pages over WebRTC. Chromium signals its own host candidates
   * only to a page with camera or microphone permission (else it hides them and relies on the other
   * end's, which is enough towards a Java relay but leaves two pages with no candidate at all):
   * grant both, no device is ever opened.
   */
  Page newPeerPage() {
    BrowserContext context =
        browser.newContext(
            new Browser.NewContextOptions()
                .setViewportSize(1280, 800)
                .setPermissions(List.of("camera", "microphone")));
    return context.newPage();
  }

  @Override
  public void close() {
    try {
      browser.close();
    } finally {
      playwright.close();
    }
  }
}

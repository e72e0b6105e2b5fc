package dev.waterfall.loadtest.kit.chromium;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium driven by Playwright for Java, launched as relay-node's browser tests
 * do (relay-node/src/test/…/it/Chromium.java, docs/DESIGN "Headless Chromium"). Playwright's driver
 * is unpacked from its driver-bundle jar into java.io.tmpdir; no browser is ever downloaded, so
 * this works inside the namespace. Also the realtime scenario's browser.
 */
public final class HeadlessChromium implements AutoCloseable {
  public static final Path EXECUTABLE = Path.of("/usr/bin/chromium");

  /**
   * Without the background-networking flags Chromium keeps dialling out. A --disable-features given
   * here replaces Playwright's own list, so it names what WebRTC between pages needs: real host
   * candidates, no mDNS names.
   */
  public static final List<String> FLAGS =
      List.of(
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-features=WebRtcHideLocalIpsWithMdns");

  private final Playwright playwright;
  public final Browser browser;

  private HeadlessChromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  public static HeadlessChromium launch() {
    if (!EXECUTABLE.toFile().canExecute()) {
      throw new IllegalStateException(EXECUTABLE + " is missing: apt-get install -y chromium");
    }
    return launch(EXECUTABLE, List.of());
  }

  /**
   * Through {@code executable} (e.g. a script that starts Chromium inside a network namespace) with
   * {@code extraFlags} after the usual ones.
   */
  public static HeadlessChromium launch(Path executable, List<String> extraFlags) {
    List<String> flags = new java.util.ArrayList<>(FLAGS);
    flags.addAll(extraFlags);
    Playwright playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      return new HeadlessChromium(
          playwright,
          playwright
              .chromium()
              .launch(
                  new BrowserType.LaunchOptions()
                      .setExecutablePath(executable)
                      .setHeadless(true)
                      .setArgs(flags)
                      .setTimeout(60_000)));
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  /**
   * One viewer: a page in a fresh context of its own (no cache, no state shared with other
   * viewers).
   */
  public ViewerPage open(String url, String label) {
    return ViewerPage.open(browser, url, label);
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

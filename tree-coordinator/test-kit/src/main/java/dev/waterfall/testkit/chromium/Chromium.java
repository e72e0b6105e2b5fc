package dev.waterfall.testkit.chromium;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium driven by Playwright for Java, for the browser ITs and loadtest's
 * browser scenarios. Playwright's driver (node and playwright-core, from the driver-bundle jar) is
 * unpacked into java.io.tmpdir and never downloads a browser, so this works offline inside a
 * network namespace. Playwright gives every launch a fresh profile itself (it refuses a
 * --user-data-dir argument).
 */
public final class Chromium implements AutoCloseable {
  public static final Path EXECUTABLE = Path.of("/usr/bin/chromium");

  /**
   * Without the background-networking flags Chromium keeps dialling out and is refused. Playwright
   * already passes --headless, --no-sandbox and its own --disable-features list; a
   * --disable-features given here replaces that list (Chromium keeps the last one), so it names
   * what WebRTC between pages needs: real host candidates, no mDNS names.
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

  /**
   * Realtime mode: getUserMedia gets Chromium's fake camera (a moving test pattern) and microphone
   * (a beep), without a permission prompt.
   */
  public static final List<String> FAKE_MEDIA =
      List.of("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");

  private final Playwright playwright;
  public final Browser browser;

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  /**
   * The tests' browser: {@link #EXECUTABLE} with {@link #FLAGS} and {@link #FAKE_MEDIA}; its
   * version goes to stdout (each test class's report), as the browser moves with every `apt-get
   * upgrade`.
   */
  public static Chromium launch() {
    Chromium chromium = launch(installed(), FAKE_MEDIA);
    System.out.println("Chromium " + chromium.browser.version() + " (" + EXECUTABLE + ")");
    return chromium;
  }

  /** {@link #EXECUTABLE}, or a clear error when the package is missing. */
  public static Path installed() {
    if (!EXECUTABLE.toFile().canExecute()) {
      throw new IllegalStateException(EXECUTABLE + " is missing: apt-get install -y chromium");
    }
    return EXECUTABLE;
  }

  /**
   * Through {@code executable} (e.g. a script that starts Chromium inside a network namespace) with
   * {@code extraFlags} after {@link #FLAGS}.
   */
  public static Chromium launch(Path executable, List<String> extraFlags) {
    List<String> flags = new ArrayList<>(FLAGS);
    flags.addAll(extraFlags);
    // Set here rather than in the environment so no run, however started, tries to download a
    // browser.
    Playwright playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      return new Chromium(
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

  /** A page in its own context: one viewer, with nothing shared with the other pages. */
  public Page newPage() {
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
  public Page newPeerPage() {
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

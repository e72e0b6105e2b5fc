package dev.waterfall.loadtest.kit.chromium;

/**
 * Whether Playwright can be loaded; a class of its own so that asking never loads a Playwright
 * type.
 */
public final class PlaywrightCheck {
  private PlaywrightCheck() {}

  /** Throws with the fix when the jar's Class-Path does not reach Playwright. */
  public static void require() {
    try {
      Class.forName("com.microsoft.playwright.Playwright");
    } catch (ClassNotFoundException e) {
      // The shaded jar finds Playwright through its manifest Class-Path, in the Maven repository it
      // was built from.
      throw new IllegalStateException(
          "Playwright is not on the classpath: rebuild the loadtest jar on this machine"
              + " (./mvnw -pl loadtest -am package) so that its Class-Path finds Playwright in ~/.m2");
    }
  }
}

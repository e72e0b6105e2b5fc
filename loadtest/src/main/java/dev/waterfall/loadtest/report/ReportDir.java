package dev.waterfall.loadtest.report;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where reports go: next to the jar ({@code loadtest/target/reports} when run as {@code java -jar
 * loadtest/target/waterfall-loadtest.jar}), whatever the working directory, so results land in one
 * place; from an IDE or plain classes, {@code ./loadtest/target/reports}.
 */
public final class ReportDir {
  private ReportDir() {}

  public static Path locate(Path override) {
    if (override != null) {
      return override;
    }
    return forCodeSource(codeSource());
  }

  /** The rule itself, separate from where this class was loaded from so it can be tested. */
  static Path forCodeSource(Path codeSource) {
    if (codeSource != null
        && codeSource.getFileName() != null
        && codeSource.getFileName().toString().endsWith(".jar")
        && Files.isRegularFile(codeSource)) {
      return codeSource.toAbsolutePath().getParent().resolve("reports");
    }
    return Path.of("loadtest", "target", "reports").toAbsolutePath();
  }

  /** The jar (or classes directory) this code was loaded from, or null. */
  public static Path codeSource() {
    try {
      var src = ReportDir.class.getProtectionDomain().getCodeSource();
      return src == null ? null : Path.of(src.getLocation().toURI());
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return null;
    }
  }
}

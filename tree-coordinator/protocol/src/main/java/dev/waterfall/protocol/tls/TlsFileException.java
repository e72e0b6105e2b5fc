package dev.waterfall.protocol.tls;

import java.nio.file.Path;

/** A certificate, key or CA file that cannot be used, with the file and the reason. */
public final class TlsFileException extends IllegalArgumentException {
  private final transient Path file;

  public TlsFileException(Path file, String reason) {
    super(file + ": " + reason);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}

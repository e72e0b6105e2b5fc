package dev.waterfall.protocol.tls;

import java.nio.file.Path;

/** A certificate, key or CA file that cannot be used, with the file, its part and the reason. */
public final class TlsFileException extends IllegalArgumentException {
  /** Which part the file was read for. */
  public enum Part {
    CERTIFICATE,
    KEY,
    CA
  }

  private final transient Path file;
  private final Part part;
  private final String reason;

  public TlsFileException(Path file, Part part, String reason) {
    super(file + ": " + reason);
    this.file = file;
    this.part = part;
    this.reason = reason;
  }

  public Path file() {
    return file;
  }

  public Part part() {
    return part;
  }

  /** The message without the file name. */
  public String reason() {
    return reason;
  }
}

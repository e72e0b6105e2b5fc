package dev.waterfall.protocol;

/** A message that cannot be accepted; {@link #code()} is what goes into the {@code error} reply. */
public final class ProtocolException extends Exception {
  private final String code;

  public ProtocolException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}

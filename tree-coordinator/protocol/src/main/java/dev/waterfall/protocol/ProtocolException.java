package dev.waterfall.protocol;

/**
 * A message that cannot be accepted; {@link #errorCode()} is what goes into the {@code error}
 * reply.
 */
public final class ProtocolException extends Exception {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode errorCode() {
    return code;
  }
}

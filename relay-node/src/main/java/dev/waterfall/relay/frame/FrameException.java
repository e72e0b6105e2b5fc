package dev.waterfall.relay.frame;

/**
 * A frame that breaks the format. {@link #code()} is short and stable ("truncated", "unknown-type",
 * "oversized", …) so relays can count rejections by kind; the message is for people. An {@link
 * IllegalArgumentException} because building an invalid frame in code is the same mistake as
 * receiving one.
 */
public final class FrameException extends IllegalArgumentException {

  private final String code;

  public FrameException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}

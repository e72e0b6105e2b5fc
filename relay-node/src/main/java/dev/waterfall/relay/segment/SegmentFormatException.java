package dev.waterfall.relay.segment;

/**
 * A segment header that breaks the format's rules: bad lengths, counts or limits. Unchecked: input
 * is untrusted.
 */
public final class SegmentFormatException extends RuntimeException {

  public SegmentFormatException(String message) {
    super(message);
  }
}

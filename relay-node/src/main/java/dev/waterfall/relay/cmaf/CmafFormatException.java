package dev.waterfall.relay.cmaf;

/**
 * Bytes that are not the fragmented MP4 (CMAF) this package reads: the message says what and where.
 */
public final class CmafFormatException extends RuntimeException {
  public CmafFormatException(String message) {
    super(message);
  }
}

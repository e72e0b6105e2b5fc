package dev.waterfall.relay.segment;

/**
 * Signed data that does not check out: a bad signature, a header for another stream, a chunk whose
 * index, length or SHA-256 does not match its header. The message says which, for logs and reports
 * to the coordinator.
 */
public final class VerificationException extends RuntimeException {

  public VerificationException(String message) {
    super(message);
  }
}

package dev.waterfall.relay.whip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The {@code Authorization: Bearer <token>} check of a WHIP request (RFC 9725 §4.2 uses RFC 6750
 * bearer tokens), against the stream's publish key. Both sides are hashed before the constant-time
 * compare, so neither the key's length nor its prefix leaks through timing.
 */
final class BearerToken {
  private BearerToken() {}

  /**
   * The token of an {@code Authorization} header value, or null when it is missing or not a bearer
   * token.
   */
  static String parse(String header) {
    if (header == null) {
      return null;
    }
    String h = header.strip();
    // The scheme is case-insensitive (RFC 9110 §11.1); one or more spaces before the token.
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer", 0, 6) || h.charAt(6) != ' ') {
      return null;
    }
    String token = h.substring(7).strip();
    return token.isEmpty() || token.indexOf(' ') >= 0 ? null : token;
  }

  /** Whether the header carries exactly {@code key}. */
  static boolean matches(String header, String key) {
    String token = parse(header);
    return token != null
        && key != null
        && !key.isEmpty()
        && MessageDigest.isEqual(sha256(token), sha256(key));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

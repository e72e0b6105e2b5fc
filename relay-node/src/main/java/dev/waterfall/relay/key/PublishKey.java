package dev.waterfall.relay.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The stream's current publish key, as the origin's own ingest checks it (HTTP PUT, WHIP, RTMP).
 * Only its SHA-256 is held, so a rotation can replace it with the hash the coordinator sends
 * ({@code publish-key}): the new key itself was shown once to the admin and never travels. Compared
 * by hash in constant time, so neither the key's bytes nor its length leak through timing.
 * Thread-safe: checks run on event loops and the RTMP front's threads, rotations on the node's.
 */
public final class PublishKey {
  private volatile byte[] hash;

  public PublishKey(String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("a publish key is required");
    }
    this.hash = sha256(key);
  }

  /** Whether {@code presented} is the current key; null or empty never is. */
  public boolean matches(String presented) {
    return presented != null
        && !presented.isEmpty()
        && MessageDigest.isEqual(sha256(presented), hash);
  }

  /**
   * The key was rotated: from now on only the key whose SHA-256 is {@code keyHash} (base64url, as
   * the coordinator stores it) matches. False if that was the key already (a resumed origin is told
   * the current key whether or not it changed).
   */
  public boolean rotated(String keyHash) {
    byte[] next;
    try {
      next = Base64.getUrlDecoder().decode(keyHash);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("not a base64url SHA-256: " + keyHash);
    }
    if (next.length != 32) {
      throw new IllegalArgumentException("not a SHA-256: " + next.length + " bytes");
    }
    boolean changed = !MessageDigest.isEqual(next, hash);
    hash = next;
    return changed;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

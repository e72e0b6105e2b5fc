package dev.waterfall.coordinator.streams;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets: generation, hashing for storage, constant-time checks, and HMAC-derived resume tokens.
 * Keys are 256 random bits, so a plain SHA-256 is a sound storage hash (no password stretching needed).
 */
public final class Credentials {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Credentials() {}

  public static String newSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A short unguessable id for a tree node (80 bits, URL-safe). */
  public static String newNodeId() {
    byte[] b = new byte[10];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String hash(String secret) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean matches(String secret, String storedHash) {
    if (secret == null || storedHash == null) {
      return false;
    }
    return MessageDigest.isEqual(hash(secret).getBytes(StandardCharsets.US_ASCII),
        storedHash.getBytes(StandardCharsets.US_ASCII));
  }

  /** Resume tokens need no storage: any coordinator holding the cluster secret can check one. */
  public static String resumeToken(byte[] clusterSecret, String stream, String nodeId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(clusterSecret, "HmacSHA256"));
      byte[] d = mac.doFinal((stream + '\n' + nodeId).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean resumeTokenMatches(byte[] clusterSecret, String stream, String nodeId, String token) {
    if (token == null) {
      return false;
    }
    return MessageDigest.isEqual(resumeToken(clusterSecret, stream, nodeId).getBytes(StandardCharsets.US_ASCII),
        token.getBytes(StandardCharsets.US_ASCII));
  }
}

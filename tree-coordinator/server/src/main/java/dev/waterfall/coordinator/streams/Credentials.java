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
 * Keys are 256 random bits, so a plain SHA-256 is a sound storage hash (no password stretching
 * needed).
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
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean matches(String secret, String storedHash) {
    if (secret == null || storedHash == null) {
      return false;
    }
    return MessageDigest.isEqual(
        hash(secret).getBytes(StandardCharsets.US_ASCII),
        storedHash.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * A resume token: {@code <owner>.<HMAC of stream, node and owner>}, where the owner is the
   * coordinator that welcomed the node. It needs no storage (any coordinator holding the cluster
   * secret checks it), and it is bound to that welcome: once the place has been resumed elsewhere
   * its owner has changed, and every token issued before is spent (Admission.resume).
   */
  public static String resumeToken(
      byte[] clusterSecret, String stream, String nodeId, String owner) {
    return owner + '.' + resumeMac(clusterSecret, stream, nodeId, owner);
  }

  /**
   * The owner a genuine resume token names for this stream and node, or null if the token is not
   * genuine.
   */
  public static String resumeTokenOwner(
      byte[] clusterSecret, String stream, String nodeId, String token) {
    int dot = token == null ? -1 : token.lastIndexOf('.');
    if (dot <= 0) {
      return null;
    }
    String owner = token.substring(0, dot);
    byte[] expected =
        resumeMac(clusterSecret, stream, nodeId, owner).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(
            expected, token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))
        ? owner
        : null;
  }

  private static String resumeMac(
      byte[] clusterSecret, String stream, String nodeId, String owner) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(clusterSecret, "HmacSHA256"));
      byte[] d =
          mac.doFinal(
              ("resume\n" + stream + '\n' + nodeId + '\n' + owner)
                  .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

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
   * A resume token: {@code <owner>.<issuedAt>.<expiresAt>.<HMAC of stream, node, owner, issuedAt,
   * expiresAt, client, node key hash>}, where the owner is the coordinator that welcomed the node,
   * the times epoch millis, {@code client} the address the node connected from and the hash that of
   * the public key the node's join sent. It needs no storage (any coordinator holding the cluster
   * secret checks it), and it is bound to that welcome: once the place has been resumed elsewhere
   * its owner has changed, and every token issued before is spent (Resumption.resume); it expires
   * (connected nodes get fresh ones); it is good only from the address it was issued to, and only
   * with a resume signed by the node's key (ResumeProof).
   */
  public static String resumeToken(
      byte[] clusterSecret,
      String stream,
      String nodeId,
      String owner,
      long issuedAt,
      long expiresAt,
      String client,
      String nodeKey) {
    return owner
        + '.'
        + issuedAt
        + '.'
        + expiresAt
        + '.'
        + resumeMac(clusterSecret, stream, nodeId, owner, issuedAt, expiresAt, client, nodeKey);
  }

  /** What a resume token says, once checked: its owner and when it was issued, or why refused. */
  public record ResumeClaim(String owner, long issuedAt, String problem) {
    static ResumeClaim refused(String problem) {
      return new ResumeClaim(null, 0, problem);
    }
  }

  /**
   * The owner a genuine, unexpired resume token names for this stream, node and node key, presented
   * from {@code client} at {@code now}; else why not (forged, for another node, client or key, or
   * expired).
   */
  public static ResumeClaim resumeClaim(
      byte[] clusterSecret,
      String stream,
      String nodeId,
      String token,
      String client,
      String nodeKey,
      long now) {
    if (nodeKey == null) {
      return ResumeClaim.refused("a resume must name the node's key and be signed with it");
    }
    int macDot = token == null ? -1 : token.lastIndexOf('.');
    int expiryDot = macDot <= 0 ? -1 : token.lastIndexOf('.', macDot - 1);
    int issuedDot = expiryDot <= 0 ? -1 : token.lastIndexOf('.', expiryDot - 1);
    if (issuedDot <= 0) {
      return ResumeClaim.refused("the resume token is not valid for this node");
    }
    String owner = token.substring(0, issuedDot);
    long issuedAt;
    long expiresAt;
    try {
      issuedAt = Long.parseLong(token.substring(issuedDot + 1, expiryDot));
      expiresAt = Long.parseLong(token.substring(expiryDot + 1, macDot));
    } catch (NumberFormatException e) {
      return ResumeClaim.refused("the resume token is not valid for this node");
    }
    byte[] expected =
        resumeMac(clusterSecret, stream, nodeId, owner, issuedAt, expiresAt, client, nodeKey)
            .getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(
        expected, token.substring(macDot + 1).getBytes(StandardCharsets.US_ASCII))) {
      return ResumeClaim.refused(
          "the resume token is not valid for this node, key and address: join again");
    }
    if (now >= expiresAt) {
      return ResumeClaim.refused("the resume token has expired: join again");
    }
    return new ResumeClaim(owner, issuedAt, null);
  }

  private static String resumeMac(
      byte[] clusterSecret,
      String stream,
      String nodeId,
      String owner,
      long issuedAt,
      long expiresAt,
      String client,
      String nodeKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(clusterSecret, "HmacSHA256"));
      byte[] d =
          mac.doFinal(
              ("resume3\n"
                      + stream
                      + '\n'
                      + nodeId
                      + '\n'
                      + owner
                      + '\n'
                      + issuedAt
                      + '\n'
                      + expiresAt
                      + '\n'
                      + client
                      + '\n'
                      + hash(nodeKey))
                  .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

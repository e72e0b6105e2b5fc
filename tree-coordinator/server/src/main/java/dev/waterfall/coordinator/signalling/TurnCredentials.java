package dev.waterfall.coordinator.signalling;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials in the TURN REST API scheme (coturn's {@code use-auth-secret} with
 * {@code static-auth-secret}): username {@code <expiry unix seconds>:<node id>}, credential {@code
 * base64(HMAC-SHA1(secret, username))}. The TURN server recomputes the credential from the username
 * with the same secret and refuses a username whose expiry has passed, so neither side keeps any
 * state per node. Pure: no clock, no I/O.
 */
public final class TurnCredentials {
  /** A username and its credential, as they go into an {@code RTCIceServer}. */
  public record Pair(String username, String credential) {
    @Override
    public String toString() {
      return "Pair[username=" + username + ", credential=…]";
    }
  }

  private final SecretKeySpec key;

  /**
   * {@code secret} exactly as the TURN server is given it (coturn uses the string's bytes as the
   * HMAC key).
   */
  public TurnCredentials(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("a TURN secret is needed");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1");
  }

  /**
   * Credentials for {@code nodeId} valid until {@code expiresAtSeconds} (unix time, inclusive at
   * coturn).
   */
  public Pair issue(String nodeId, long expiresAtSeconds) {
    String username = expiresAtSeconds + ":" + nodeId;
    return new Pair(username, credential(username));
  }

  /**
   * {@code base64(HMAC-SHA1(secret, username))}, standard base64 with padding, as coturn computes
   * it.
   */
  public String credential(String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(key);
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "TurnCredentials[secret=…]";
  }
}

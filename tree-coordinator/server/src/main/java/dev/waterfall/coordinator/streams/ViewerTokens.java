package dev.waterfall.coordinator.streams;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Viewer tokens for private streams: {@code v1.<expiresAt epoch seconds>.<base64url HMAC-SHA256>}
 * over {@code "viewer-token:v1:" + stream + ":" + rootId + ":" + expiresAt} under the cluster
 * secret. HMAC, not Ed25519: only coordinators issue and check them and every coordinator already
 * holds that secret, so a token is checked by any of them without storage or key distribution. The
 * stream's root id is random per creation, so deleting and re-creating a stream voids every token
 * issued for it.
 */
public final class ViewerTokens {
  public static final long DEFAULT_TTL_SECONDS = 3600;
  public static final long MAX_TTL_SECONDS = 30L * 24 * 3600;
  private static final Pattern FORMAT = Pattern.compile("v1\\.(\\d{1,12})\\.([A-Za-z0-9_-]{43})");

  /**
   * Why a token was refused (or {@link #VALID}); the message is for people and never repeats the
   * token.
   */
  public enum Verdict {
    VALID(null),
    MISSING("this stream is private: it needs a viewer token"),
    INVALID("the viewer token is not valid for this stream"),
    EXPIRED("the viewer token has expired: ask for a new one");

    public final String message;

    Verdict(String message) {
      this.message = message;
    }
  }

  private final byte[] secret;

  public ViewerTokens(byte[] clusterSecret) {
    this.secret = clusterSecret.clone();
  }

  public String issue(StreamRecord stream, long expiresAtSeconds) {
    return "v1." + expiresAtSeconds + "." + mac(stream, expiresAtSeconds);
  }

  public Verdict check(StreamRecord stream, String token, long nowMillis) {
    if (token == null || token.isEmpty()) {
      return Verdict.MISSING;
    }
    var m = FORMAT.matcher(token);
    if (!m.matches()) {
      return Verdict.INVALID;
    }
    long expiresAt = Long.parseLong(m.group(1));
    boolean genuine =
        MessageDigest.isEqual(
            mac(stream, expiresAt).getBytes(StandardCharsets.US_ASCII),
            m.group(2).getBytes(StandardCharsets.US_ASCII));
    if (!genuine) {
      return Verdict.INVALID;
    }
    return expiresAt * 1000 > nowMillis ? Verdict.VALID : Verdict.EXPIRED;
  }

  private String mac(StreamRecord stream, long expiresAt) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] d =
          mac.doFinal(
              ("viewer-token:v1:" + stream.name() + ":" + stream.rootId() + ":" + expiresAt)
                  .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

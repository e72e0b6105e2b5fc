package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;
import java.util.List;

/**
 * The TURN servers handed to nodes, with time-limited credentials made from a secret shared with
 * them (coturn's {@code use-auth-secret} + {@code static-auth-secret}). Empty {@code urls}: no
 * TURN. The secret is never shown: not in {@link #toString()}, not in an error message.
 */
public record TurnConfig(List<String> urls, String secret, int ttlSeconds) {
  /**
   * 60 s: below that a node's credential could lapse between its welcome and the TURN allocation of
   * a link made a few seconds later on a busy machine, or under modest clock skew. A day is the
   * longest a leaked credential should keep the relay open to whoever found it.
   */
  public static final int MIN_TTL_SECONDS = 60;

  public static final int MAX_TTL_SECONDS = 86_400;

  /**
   * Shorter secrets could be guessed offline from one credential (it is an HMAC of a known
   * username).
   */
  public static final int MIN_SECRET_LENGTH = 16;

  public static TurnConfig from(Settings s) {
    List<String> urls = s.list("ice.turn.urls");
    for (String url : urls) {
      if (!url.matches("turns?:[^\\s?,]+(\\?transport=(udp|tcp))?")) {
        throw new ConfigException(
            "ice.turn.urls: '"
                + url
                + "' is not a turn: or turns: URL"
                + " (e.g. turn:turn.example.org:3478?transport=udp)");
      }
    }
    String secret = s.string("ice.turn.secret");
    if (!urls.isEmpty() && secret.isEmpty()) {
      throw new ConfigException(
          "ice.turn.secret must be set when ice.turn.urls is: the TURN server's"
              + " static-auth-secret, which signs every node's credentials");
    }
    if (!secret.isEmpty() && urls.isEmpty()) {
      throw new ConfigException(
          "ice.turn.secret is set but ice.turn.urls is empty: name the TURN servers too");
    }
    if (!secret.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException(
          "ice.turn.secret must be at least "
              + MIN_SECRET_LENGTH
              + " characters"
              + " (e.g. openssl rand -base64 32)");
    }
    int ttl = s.integer("ice.turn.ttlSeconds", MIN_TTL_SECONDS, MAX_TTL_SECONDS);
    return new TurnConfig(List.copyOf(urls), secret, ttl);
  }

  public boolean enabled() {
    return !urls.isEmpty();
  }

  @Override
  public String toString() {
    return "TurnConfig[urls="
        + urls
        + ", secret="
        + (secret.isEmpty() ? "(none)" : "(set)")
        + ", ttlSeconds="
        + ttlSeconds
        + "]";
  }
}

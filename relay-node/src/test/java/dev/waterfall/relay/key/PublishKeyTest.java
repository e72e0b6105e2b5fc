package dev.waterfall.relay.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PublishKeyTest {
  /** What the coordinator sends: Credentials.hash, base64url SHA-256 without padding. */
  static String coordinatorHash(String key) throws Exception {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aRotationReplacesTheKeyByItsHash() throws Exception {
    PublishKey key = new PublishKey("old-key");
    assertThat(key.matches("old-key")).isTrue();
    assertThat(key.matches("old-ke")).isFalse();
    assertThat(key.matches("")).isFalse();
    assertThat(key.matches(null)).isFalse();
    assertThat(key.rotated(coordinatorHash("new-key"))).isTrue();
    assertThat(key.matches("old-key")).isFalse();
    assertThat(key.matches("new-key")).isTrue();
    assertThat(key.rotated(coordinatorHash("new-key"))).as("told the key it has").isFalse();
  }

  @Test
  void aMalformedHashChangesNothing() {
    PublishKey key = new PublishKey("old-key");
    assertThatThrownBy(() -> key.rotated("not base64 !"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key.rotated("AAAA")).isInstanceOf(IllegalArgumentException.class);
    assertThat(key.matches("old-key")).isTrue();
  }
}

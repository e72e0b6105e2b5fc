package dev.waterfall.coordinator.signalling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TURN REST credentials: what coturn's use-auth-secret recomputes")
class TurnCredentialsTest {
  // Expected values computed outside Java, e.g.:
  //   printf '%s' '1767225600:q3W0b1I1m2M' | openssl dgst -sha1 -hmac
  // 'north-wind-carries-rain-0123' -binary | base64

  @Test
  void usernameIsExpiryColonNodeIdAndCredentialIsBase64HmacSha1OfIt() {
    TurnCredentials.Pair pair =
        new TurnCredentials("north-wind-carries-rain-0123").issue("q3W0b1I1m2M", 1767225600L);
    assertThat(pair.username()).isEqualTo("1767225600:q3W0b1I1m2M");
    assertThat(pair.credential()).isEqualTo("LnrKJ2duKltYPJv/LtKQb3gBpRY=");
  }

  @Test
  void moreKnownVectors() {
    assertThat(new TurnCredentials("sixteen-chars-ok").credential("1700000000:n"))
        .isEqualTo("j+mz11dGCsi2dUdKcJnNZHSRWVQ=");
    // The secret's UTF-8 bytes are the key, as coturn takes the string from its command line or
    // config file.
    assertThat(new TurnCredentials("sécret-ünïcode-key").credential("a:b"))
        .isEqualTo("yibduUDDQmHy67jBxXLEiUpAi7c=");
  }

  @Test
  void anotherSecretOrExpiryGivesAnotherCredential() {
    TurnCredentials one = new TurnCredentials("north-wind-carries-rain-0123");
    TurnCredentials other = new TurnCredentials("north-wind-carries-rain-0124");
    assertThat(other.issue("n", 100).credential()).isNotEqualTo(one.issue("n", 100).credential());
    assertThat(one.issue("n", 101).credential()).isNotEqualTo(one.issue("n", 100).credential());
  }

  @Test
  void theSecretAndCredentialStayOutOfToString() {
    TurnCredentials c = new TurnCredentials("north-wind-carries-rain-0123");
    TurnCredentials.Pair pair = c.issue("q3W0b1I1m2M", 1767225600L);
    assertThat(c.toString()).doesNotContain("north-wind");
    assertThat(pair.toString())
        .contains("1767225600:q3W0b1I1m2M")
        .doesNotContain(pair.credential());
  }

  @Test
  void anEmptySecretIsRefused() {
    assertThatThrownBy(() -> new TurnCredentials("")).isInstanceOf(IllegalArgumentException.class);
  }
}

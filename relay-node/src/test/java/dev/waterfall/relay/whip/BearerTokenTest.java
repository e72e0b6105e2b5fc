package dev.waterfall.relay.whip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {
  @Test
  void parsesTheTokenOfABearerHeader() {
    assertThat(BearerToken.parse("Bearer abc.DEF-123")).isEqualTo("abc.DEF-123");
    assertThat(BearerToken.parse("bearer  abc "))
        .as("scheme case-insensitive, spaces around")
        .isEqualTo("abc");
  }

  @Test
  void refusesWhatIsNotABearerToken() {
    assertThat(BearerToken.parse(null)).isNull();
    assertThat(BearerToken.parse("")).isNull();
    assertThat(BearerToken.parse("Bearer")).isNull();
    assertThat(BearerToken.parse("Bearer ")).isNull();
    assertThat(BearerToken.parse("Basic dXNlcjpwYXNz")).isNull();
    assertThat(BearerToken.parse("Bearerabc")).isNull();
    assertThat(BearerToken.parse("Bearer a b")).isNull();
  }

  @Test
  void matchesOnlyTheExactKey() {
    assertThat(BearerToken.matches("Bearer k3y", "k3y")).isTrue();
    assertThat(BearerToken.matches("Bearer k3y", "k3")).isFalse();
    assertThat(BearerToken.matches("Bearer k3", "k3y")).isFalse();
    assertThat(BearerToken.matches("Bearer K3Y", "k3y")).isFalse();
    assertThat(BearerToken.matches(null, "k3y")).isFalse();
    assertThat(BearerToken.matches("Bearer ", "")).isFalse();
    assertThat(BearerToken.matches("Bearer x", null)).isFalse();
  }
}

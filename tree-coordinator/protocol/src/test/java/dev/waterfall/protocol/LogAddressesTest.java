package dev.waterfall.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogAddressesTest {
  @Test
  void plainShowsTheAddress() {
    assertThat(LogAddresses.of(false).of("198.51.100.7")).isEqualTo("198.51.100.7");
  }

  @Test
  void redactedIsStableWithinAProcessButHidesTheAddress() {
    LogAddresses redacting = LogAddresses.of(true);
    String once = redacting.of("198.51.100.7");
    assertThat(once)
        .startsWith("addr-")
        .doesNotContain("198.51")
        .isEqualTo(redacting.of("198.51.100.7"));
    assertThat(redacting.of("198.51.100.8")).isNotEqualTo(once);
    assertThat(LogAddresses.of(true).of("198.51.100.7"))
        .as("a fresh key per process")
        .isNotEqualTo(once);
  }
}

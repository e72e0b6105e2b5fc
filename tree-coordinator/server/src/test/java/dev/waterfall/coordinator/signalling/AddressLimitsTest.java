package dev.waterfall.coordinator.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("per-address bookkeeping: limits, forgetting, forwarded addresses, redaction")
class AddressLimitsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void socketsAreCountedAndGivenBack() {
    AddressLimits limits = new AddressLimits(2, 0, 1);
    assertThat(limits.openSocket("a")).isTrue();
    assertThat(limits.openSocket("a")).isTrue();
    assertThat(limits.openSocket("a")).isFalse();
    assertThat(limits.openSocket("b")).isTrue();
    limits.closeSocket("a");
    assertThat(limits.openSocket("a")).isTrue();
  }

  @Test
  void zeroMeansNoLimit() {
    AddressLimits limits = new AddressLimits(0, 0, 1);
    for (int i = 0; i < 10_000; i++) {
      assertThat(limits.openSocket("a")).isTrue();
      assertThat(limits.tryJoin("a", 0)).isTrue();
    }
  }

  @Test
  void joinAllowanceSurvivesReconnectingAndRefills() {
    AddressLimits limits = new AddressLimits(10, 1, 2);
    assertThat(limits.openSocket("a")).isTrue();
    assertThat(limits.tryJoin("a", 0)).isTrue();
    assertThat(limits.tryJoin("a", 0)).isTrue();
    assertThat(limits.tryJoin("a", 0)).isFalse();
    // Closing every socket does not wipe the spent allowance: pruning keeps it until it has
    // refilled.
    limits.closeSocket("a");
    limits.prune(SECOND / 2);
    assertThat(limits.tracked()).isEqualTo(1);
    assertThat(limits.tryJoin("a", SECOND / 2)).isFalse();
    assertThat(limits.tryJoin("a", SECOND + SECOND / 2)).isTrue();
    limits.prune(10 * SECOND);
    assertThat(limits.tracked()).as("idle, refilled addresses are forgotten").isZero();
  }

  @Test
  void theFirstRefusalIsReportedOnce() {
    AddressLimits limits = new AddressLimits(1, 0, 1);
    limits.openSocket("a");
    assertThat(limits.firstRefusal("a")).isTrue();
    assertThat(limits.firstRefusal("a")).isFalse();
  }

  @Test
  void forwardedForIsBelievedOnlyFromTrustedProxies() {
    ClientAddresses addresses = new ClientAddresses(List.of("127.0.0.1", "::1", "10.0.0.2"), false);
    assertThat(addresses.resolve("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
    assertThat(addresses.resolve("127.0.0.1", null)).isEqualTo("127.0.0.1");
    assertThat(addresses.resolve("127.0.0.1", "198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(addresses.resolve("0:0:0:0:0:0:0:1", "198.51.100.1")).isEqualTo("198.51.100.1");
    // A client may prepend anything; the rightmost hop not a trusted proxy is the client.
    assertThat(addresses.resolve("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2"))
        .isEqualTo("198.51.100.1");
    assertThat(addresses.resolve("127.0.0.1", "10.0.0.2")).isEqualTo("10.0.0.2");
  }

  @Test
  void forwardedGarbageStaysShortAndIsNeverLookedUp() {
    ClientAddresses addresses = new ClientAddresses(List.of("127.0.0.1"), false);
    assertThat(addresses.resolve("127.0.0.1", "x".repeat(10_000))).hasSize(64);
    assertThat(addresses.resolve("127.0.0.1", "example.org")).isEqualTo("example.org");
    assertThat(addresses.resolve("127.0.0.1", "::ffff:zz")).isEqualTo("::ffff:zz");
    assertThat(addresses.resolve("127.0.0.1", "")).isEqualTo("unknown");
  }

  @Test
  void redactedAddressesAreStableButNotTheAddress() {
    ClientAddresses redacting = new ClientAddresses(List.of(), true);
    String once = redacting.forLog("198.51.100.7");
    assertThat(once)
        .startsWith("addr-")
        .doesNotContain("198.51")
        .isEqualTo(redacting.forLog("198.51.100.7"));
    assertThat(redacting.forLog("198.51.100.8")).isNotEqualTo(once);
    assertThat(new ClientAddresses(List.of(), false).forLog("198.51.100.7"))
        .isEqualTo("198.51.100.7");
  }
}

package dev.waterfall.coordinator.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.streams.UsableUrls.Page;
import dev.waterfall.coordinator.streams.UsableUrls.Reach;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
    "where a page stands: headers may narrow its fallback list, only a trusted proxy may widen it")
class PageStandingTest {
  private final ClientAddresses behindProxy = new ClientAddresses(List.of("127.0.0.1"), false);
  private final ClientAddresses direct = new ClientAddresses(List.of(), false);

  private static Page page(
      ClientAddresses a, boolean tls, String peer, Map<String, String> headers) {
    return a.page(
        tls,
        peer,
        name ->
            headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null));
  }

  @Test
  void directConnections() {
    assertThat(page(direct, false, "127.0.0.1", Map.of()))
        .isEqualTo(new Page(false, Reach.LOOPBACK));
    assertThat(page(direct, false, "::1", Map.of())).isEqualTo(new Page(false, Reach.LOOPBACK));
    assertThat(page(direct, false, "192.168.1.4", Map.of()))
        .isEqualTo(new Page(false, Reach.PRIVATE));
    assertThat(page(direct, false, "203.0.113.5", Map.of()))
        .isEqualTo(new Page(false, Reach.PUBLIC));
    assertThat(page(direct, true, "203.0.113.5", Map.of())).isEqualTo(new Page(true, Reach.PUBLIC));
    assertThat(page(direct, false, null, Map.of())).isEqualTo(new Page(false, Reach.PUBLIC));
  }

  @Test
  void sayingHttpsIsBelievedFromAnyoneSinceItOnlyTakesUrlsAway() {
    assertThat(
            page(direct, false, "127.0.0.1", Map.of("Origin", "https://live.example.org")).secure())
        .isTrue();
    assertThat(page(direct, false, "127.0.0.1", Map.of("Origin", "http://127.0.0.1:8080")).secure())
        .isFalse();
    assertThat(page(direct, false, "127.0.0.1", Map.of("X-Forwarded-Proto", "https")).secure())
        .isTrue();
    assertThat(
            page(direct, false, "127.0.0.1", Map.of("X-Forwarded-Proto", "http, HTTPS")).secure())
        .isTrue();
    assertThat(
            page(direct, false, "127.0.0.1", Map.of("Forwarded", "for=1.2.3.4;proto=https"))
                .secure())
        .isTrue();
    assertThat(
            page(direct, false, "127.0.0.1", Map.of("Forwarded", "for=1.2.3.4;proto=http"))
                .secure())
        .isFalse();
    // ... and saying http does not undo a TLS connection.
    assertThat(page(direct, true, "127.0.0.1", Map.of("X-Forwarded-Proto", "http")).secure())
        .isTrue();
  }

  @Test
  void aForwardedAddressIsBelievedOnlyFromATrustedProxy() {
    // Forwarding headers from a peer nobody trusts: the real client could be anywhere.
    assertThat(page(direct, false, "127.0.0.1", Map.of("X-Forwarded-For", "10.0.0.5")).from())
        .isEqualTo(Reach.PUBLIC);
    assertThat(page(direct, false, "127.0.0.1", Map.of("X-Real-IP", "127.0.0.1")).from())
        .isEqualTo(Reach.PUBLIC);
    assertThat(page(direct, false, "127.0.0.1", Map.of("Forwarded", "for=127.0.0.1")).from())
        .isEqualTo(Reach.PUBLIC);
    // From the trusted proxy: the client it saw.
    assertThat(page(behindProxy, false, "127.0.0.1", Map.of("X-Forwarded-For", "203.0.113.5")))
        .isEqualTo(new Page(false, Reach.PUBLIC));
    assertThat(
            page(
                behindProxy,
                false,
                "127.0.0.1",
                Map.of("X-Forwarded-For", "192.168.1.4", "X-Forwarded-Proto", "https")))
        .isEqualTo(new Page(true, Reach.PRIVATE));
    assertThat(page(behindProxy, false, "127.0.0.1", Map.of("X-Forwarded-For", "127.0.0.1")).from())
        .isEqualTo(Reach.LOOPBACK);
    // A client's own forged entry sits left of what the proxy appended.
    assertThat(
            page(
                    behindProxy,
                    false,
                    "127.0.0.1",
                    Map.of("X-Forwarded-For", "127.0.0.1, 203.0.113.5"))
                .from())
        .isEqualTo(Reach.PUBLIC);
    // A trusted proxy that names no client: assume the worst.
    assertThat(page(behindProxy, false, "127.0.0.1", Map.of()).from()).isEqualTo(Reach.PUBLIC);
  }
}

package dev.waterfall.coordinator.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.streams.UsableUrls.Page;
import dev.waterfall.coordinator.streams.UsableUrls.Reach;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("a browser page is handed only fallback URLs it can fetch")
class UsableUrlsTest {
  private static final Page HTTPS_PUBLIC = new Page(true, Reach.PUBLIC);
  private static final Page HTTP_PUBLIC = new Page(false, Reach.PUBLIC);
  private static final Page HTTPS_LAN = new Page(true, Reach.PRIVATE);
  private static final Page HTTP_LAN = new Page(false, Reach.PRIVATE);
  private static final Page HTTP_LOCAL = Page.LOCAL;
  private static final Page HTTPS_LOCAL = new Page(true, Reach.LOOPBACK);

  @ParameterizedTest(
      name =
          "{0}: https public {1}, http public {2}, https LAN {3}, http LAN {4}, http local {5}, https local {6}")
  @CsvSource({
    // url,                                 https  http   https  http   http   https
    //                                      public public LAN    LAN    local  local
    "https://booster.example.org,           true,  true,  true,  true,  true,  true",
    "https://booster.example.org:8443/,     true,  true,  true,  true,  true,  true",
    "http://booster.example.org:8091,       false, true,  false, true,  true,  false",
    "https://203.0.113.7:8443,              true,  true,  true,  true,  true,  true",
    "http://203.0.113.7:8091,               false, true,  false, true,  true,  false",
    // the case: a booster's private address, plain http
    "http://192.168.9.2:8091,               false, false, false, true,  true,  false",
    "https://192.168.9.2:8443,              false, false, true,  true,  true,  true",
    "http://10.77.0.1:8090,                 false, false, false, true,  true,  false",
    "http://172.16.0.5:8090,                false, false, false, true,  true,  false",
    "http://172.32.0.5:8090,                false, true,  false, true,  true,  false",
    "http://100.100.1.2:8090,               false, false, false, true,  true,  false",
    "http://169.254.1.1:8090,               false, false, false, true,  true,  false",
    "https://[fd12:3456::1]:8443,           false, false, true,  true,  true,  true",
    "https://[fe80::1]:8443,                false, false, true,  true,  true,  true",
    "https://[2001:db8::1]:8443,            true,  true,  true,  true,  true,  true",
    "https://nas.local:8443,                false, false, true,  true,  true,  true",
    "https://booster:8443,                  false, false, true,  true,  true,  true",
    "https://relay.home.arpa,               false, false, true,  true,  true,  true",
    // the local demo: loopback URLs only for a page on loopback
    "http://127.0.0.1:8090,                 false, false, false, false, true,  false",
    "https://127.0.0.1:8443,                false, false, false, false, true,  true",
    "http://localhost:8090,                 false, false, false, false, true,  false",
    "https://[::1]:8443,                    false, false, false, false, true,  true",
    "http://0.0.0.0:8090,                   false, false, false, false, true,  false",
    "https://[::ffff:127.0.0.1]:8443,       false, false, false, false, true,  true",
    "https://[::ffff:10.0.0.1]:8443,        false, false, true,  true,  true,  true",
    // not URLs a page can fetch at all
    "ftp://booster.example.org,             false, false, false, false, false, false",
    "booster.example.org:8091,              false, false, false, false, false, false",
    "'https://exa mple.org',                false, false, false, false, false, false",
  })
  void table(
      String url,
      boolean httpsPublic,
      boolean httpPublic,
      boolean httpsLan,
      boolean httpLan,
      boolean httpLocal,
      boolean httpsLocal) {
    assertThat(UsableUrls.usable(url, HTTPS_PUBLIC))
        .as("https page from a public address")
        .isEqualTo(httpsPublic);
    assertThat(UsableUrls.usable(url, HTTP_PUBLIC))
        .as("http page from a public address")
        .isEqualTo(httpPublic);
    assertThat(UsableUrls.usable(url, HTTPS_LAN))
        .as("https page from a private address")
        .isEqualTo(httpsLan);
    assertThat(UsableUrls.usable(url, HTTP_LAN))
        .as("http page from a private address")
        .isEqualTo(httpLan);
    assertThat(UsableUrls.usable(url, HTTP_LOCAL))
        .as("http page from loopback")
        .isEqualTo(httpLocal);
    assertThat(UsableUrls.usable(url, HTTPS_LOCAL))
        .as("https page from loopback")
        .isEqualTo(httpsLocal);
  }

  @Test
  void theListKeepsItsOrder() {
    List<String> urls =
        List.of(
            "http://192.168.9.2:8091",
            "https://b.example.org",
            "http://127.0.0.1:8090",
            "https://a.example.org");
    assertThat(UsableUrls.forPage(urls, HTTPS_PUBLIC))
        .containsExactly("https://b.example.org", "https://a.example.org");
    assertThat(UsableUrls.forPage(urls, HTTP_LOCAL)).isEqualTo(urls);
    assertThat(UsableUrls.forPage(List.of(), HTTPS_PUBLIC)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, LOOPBACK",
    "127.8.9.10, LOOPBACK",
    "::1, LOOPBACK",
    "[::1], LOOPBACK",
    "0:0:0:0:0:0:0:1, LOOPBACK",
    "localhost, LOOPBACK",
    "LOCALHOST., LOOPBACK",
    "app.localhost, LOOPBACK",
    "0.0.0.0, LOOPBACK",
    "::, LOOPBACK",
    "10.1.2.3, PRIVATE",
    "192.168.1.1, PRIVATE",
    "172.31.255.255, PRIVATE",
    "100.64.0.1, PRIVATE",
    "169.254.169.254, PRIVATE",
    "fd00::1, PRIVATE",
    "fe80::1%eth0, PRIVATE",
    "printer, PRIVATE",
    "999.1.1.1, PRIVATE",
    "8.8.8.8, PUBLIC",
    "172.15.0.1, PUBLIC",
    "100.128.0.1, PUBLIC",
    "2606:4700::1111, PUBLIC",
    "example.org, PUBLIC",
    "local.example.org, PUBLIC",
  })
  void reachOfAHost(String host, Reach reach) {
    assertThat(UsableUrls.reachOf(host)).isEqualTo(reach);
  }
}

package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.TestCoordinator;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Over a real coordinator behind a (simulated) TLS proxy on 127.0.0.1: the origin serves plain http
 * on loopback, one booster plain http on a LAN address, another https under a public name. What
 * each kind of page is handed.
 */
@DisplayName("a page is handed only fallback URLs it can fetch; relays get them all")
class UsableFallbacksTest {
  private static final String KEY = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
  private static final String ORIGIN = "http://127.0.0.1:8090";
  private static final String LAN_BOOSTER = "http://192.168.9.2:8091";
  private static final String PUBLIC_BOOSTER = "https://booster.example.org";
  private static TestCoordinator coordinator;
  private static Vertx vertx;
  private static String boosterToken;
  private final List<RawSocket> sockets = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    coordinator = TestCoordinator.start(Map.of("http.trustedProxies", "127.0.0.1"));
    vertx = Vertx.vertx();
    String publishKey = coordinator.createStream("mixed");
    boosterToken = coordinator.coordinator.issueBoosterToken();
    // The relays come through the proxy too, from wherever.
    Map<String, String> relayHeaders =
        Map.of("X-Forwarded-For", "198.51.100.1", "X-Forwarded-Proto", "https");
    joined(
        relay(relayHeaders),
        "{\"v\":1,\"type\":\"join\",\"stream\":\"mixed\",\"role\":\"origin\",\"key\":\""
            + publishKey
            + "\",\"publicKey\":\""
            + KEY
            + "\",\"httpUrl\":\""
            + ORIGIN
            + "\"}");
    joined(relay(relayHeaders), boosterJoin(LAN_BOOSTER));
    joined(relay(relayHeaders), boosterJoin(PUBLIC_BOOSTER));
  }

  private static final List<RawSocket> RELAYS = new ArrayList<>();

  private static RawSocket relay(Map<String, String> headers) {
    RawSocket s = RawSocket.connect(vertx, coordinator.baseUrl, headers);
    RELAYS.add(s);
    return s;
  }

  private static String boosterJoin(String httpUrl) {
    return "{\"v\":1,\"type\":\"join\",\"stream\":\"mixed\",\"role\":\"booster\",\"key\":\""
        + boosterToken
        + "\",\"httpUrl\":\""
        + httpUrl
        + "\"}";
  }

  private static JsonNode joined(RawSocket s, String join) {
    s.send(join);
    for (int i = 0; i < 20; i++) {
      JsonNode m = s.next(10_000);
      assertThat(m).as("a welcome").isNotNull();
      if (m.get("type").textValue().equals("welcome")) {
        return m;
      }
    }
    throw new AssertionError("no welcome");
  }

  @AfterEach
  void closeViewers() {
    sockets.forEach(RawSocket::close);
  }

  @AfterAll
  static void stop() {
    RELAYS.forEach(RawSocket::close);
    vertx.close();
    coordinator.close();
  }

  private List<String> viewerFallbacks(Map<String, String> headers) {
    RawSocket s = RawSocket.connect(vertx, coordinator.baseUrl, headers);
    sockets.add(s);
    List<String> urls = new ArrayList<>();
    joined(s, "{\"v\":1,\"type\":\"join\",\"stream\":\"mixed\",\"role\":\"viewer\"}")
        .get("fallbacks")
        .forEach(u -> urls.add(u.textValue()));
    return urls;
  }

  @Test
  @DisplayName(
      "an https page on the internet gets the https booster only; on the LAN also LAN http; locally all")
  void viewersByWhereTheyStand() {
    assertThat(
            viewerFallbacks(Map.of("X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https")))
        .containsExactly(PUBLIC_BOOSTER);
    assertThat(
            viewerFallbacks(
                Map.of("X-Forwarded-For", "203.0.113.9", "Origin", "https://live.example.org")))
        .containsExactly(PUBLIC_BOOSTER);
    assertThat(viewerFallbacks(Map.of("X-Forwarded-For", "192.168.9.7")))
        .containsExactly(LAN_BOOSTER, PUBLIC_BOOSTER);
    assertThat(
            viewerFallbacks(Map.of("X-Forwarded-For", "192.168.9.7", "X-Forwarded-Proto", "https")))
        .containsExactly(PUBLIC_BOOSTER);
    assertThat(viewerFallbacks(Map.of("X-Forwarded-For", "127.0.0.1")))
        .containsExactly(ORIGIN, LAN_BOOSTER, PUBLIC_BOOSTER);
    // A client that says it is someone else, past the proxy: the proxy appended what it saw.
    assertThat(viewerFallbacks(Map.of("X-Forwarded-For", "127.0.0.1, 203.0.113.9")))
        .containsExactly(PUBLIC_BOOSTER);
  }

  @Test
  @DisplayName("a relay joining from the internet over https still gets every source")
  void relaysGetTheWholeList() {
    RawSocket s =
        RawSocket.connect(
            vertx,
            coordinator.baseUrl,
            Map.of("X-Forwarded-For", "203.0.113.10", "X-Forwarded-Proto", "https"));
    sockets.add(s);
    JsonNode welcome =
        joined(
            s,
            "{\"v\":1,\"type\":\"join\",\"stream\":\"mixed\",\"role\":\"booster\",\"key\":\""
                + boosterToken
                + "\"}");
    assertThat(welcome.get("fallbacks"))
        .extracting(JsonNode::textValue)
        .containsExactly(ORIGIN, LAN_BOOSTER, PUBLIC_BOOSTER);
  }

  @Test
  @DisplayName(
      "GET /fallbacks: a page gets what it can fetch and how many were withheld; a relay everything")
  void restAnswer() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(coordinator.baseUrl + "/api/streams/mixed/fallbacks"))
                .header("X-Forwarded-For", "203.0.113.9")
                .header("X-Forwarded-Proto", "https")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(page.body());
    assertThat(body.get("fallbacks"))
        .extracting(JsonNode::textValue)
        .containsExactly(PUBLIC_BOOSTER);
    assertThat(body.get("withheld").intValue()).isEqualTo(2);
    assertThat(body.get("publicKey").textValue()).isEqualTo(KEY);

    HttpResponse<String> booster =
        http.send(
            HttpRequest.newBuilder(URI.create(coordinator.baseUrl + "/api/streams/mixed/fallbacks"))
                .header("X-Forwarded-For", "203.0.113.9")
                .header("X-Forwarded-Proto", "https")
                .header("Authorization", "Bearer " + boosterToken)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode all = new com.fasterxml.jackson.databind.ObjectMapper().readTree(booster.body());
    assertThat(all.get("fallbacks"))
        .extracting(JsonNode::textValue)
        .containsExactly(ORIGIN, LAN_BOOSTER, PUBLIC_BOOSTER);
    assertThat(all.has("withheld")).isFalse();
  }
}

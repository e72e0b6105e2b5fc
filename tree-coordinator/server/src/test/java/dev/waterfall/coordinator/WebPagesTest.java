package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.TestCoordinator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("web pages served from the waterfall-web-player jar")
class WebPagesTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static TestCoordinator coordinator;

  @BeforeAll
  static void start() throws Exception {
    coordinator = TestCoordinator.start();
  }

  @AfterAll
  static void stop() {
    coordinator.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(coordinator.baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("");
  }

  @Test
  @DisplayName("/watch/<stream> is the player page, always revalidated")
  void watchPage() throws Exception {
    HttpResponse<String> page = get("/watch/demo");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(header(page, "Content-Type")).startsWith("text/html");
    assertThat(header(page, "Cache-Control")).isEqualTo("no-cache");
    assertThat(page.body()).contains("<video", "/web/vendor/hls.min.js", "/web/watch.js");
    // The stream name is read by the script from the path, never written into the HTML.
    assertThat(get("/watch/%3Cscript%3E").body()).isEqualTo(page.body());
  }

  @Test
  @DisplayName(
      "/publish/<stream> is the realtime publisher page; its scripts are served as modules")
  void publishPage() throws Exception {
    HttpResponse<String> page = get("/publish/cam");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(header(page, "Content-Type")).startsWith("text/html");
    assertThat(header(page, "Cache-Control")).isEqualTo("no-cache");
    assertThat(header(page, "Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(page.body())
        .contains("<video", "type=\"module\" src=\"/web/publish.js\"", "id=\"key\"");
    assertThat(get("/publish/%3Cscript%3E").body()).isEqualTo(page.body());
    for (String js :
        new String[] {
          "/web/publish.js",
          "/web/rt/node.js",
          "/web/rt/edges.js",
          "/web/rt/viewer.js",
          "/web/p2p/signalling.js"
        }) {
      HttpResponse<String> r = get(js);
      assertThat(r.statusCode()).as(js).isEqualTo(200);
      assertThat(header(r, "Content-Type")).as(js).contains("javascript");
    }
  }

  @Test
  @DisplayName("/web/vendor/hls.min.js is hls.js, as JavaScript, cached for a day")
  void hlsJs() throws Exception {
    HttpResponse<String> js = get("/web/vendor/hls.min.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(header(js, "Content-Type")).contains("javascript");
    assertThat(header(js, "Cache-Control")).contains("max-age=86400");
    assertThat(js.body()).hasSizeGreaterThan(100_000).contains("Hls");
  }

  @Test
  @DisplayName(
      "/web/* serves the page's own script and style with a short max-age, and nothing else")
  void ownFiles() throws Exception {
    HttpResponse<String> js = get("/web/watch.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(header(js, "Content-Type")).contains("javascript");
    assertThat(header(js, "Cache-Control")).contains("max-age=60");
    assertThat(js.body()).contains("window.waterfall");
    assertThat(header(get("/web/style.css"), "Content-Type")).startsWith("text/css");
    assertThat(get("/web/missing.js").statusCode()).isEqualTo(404);
    assertThat(get("/web/").body()).doesNotContain("watch.js");
    assertThat(get("/web/../logback.xml").statusCode()).isIn(400, 403, 404);
  }

  @Test
  @DisplayName(
      "/embed/<stream> is the player alone, for any site's iframe; the other pages only frame themselves")
  void embedPage() throws Exception {
    HttpResponse<String> page = get("/embed/demo");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(header(page, "Content-Type")).startsWith("text/html");
    assertThat(header(page, "Cache-Control")).isEqualTo("no-cache");
    assertThat(page.body())
        .contains("<video", "muted autoplay", "id=\"play\"", "/web/watch.js")
        .doesNotContain("id=\"upload\"", "id=\"stats\" ");
    assertThat(header(page, "Content-Security-Policy")).doesNotContain("frame-ancestors");
    assertThat(header(page, "X-Frame-Options")).isEmpty();
    assertThat(get("/embed/%3Cscript%3E").body()).isEqualTo(page.body());
    for (String own : new String[] {"/watch/demo", "/dashboard/demo", "/publish/demo"}) {
      assertThat(header(get(own), "Content-Security-Policy"))
          .as(own)
          .isEqualTo("frame-ancestors 'self'");
    }
  }

  @Test
  @DisplayName(
      "/dashboard/<stream> carries the admin's publishing panel (token field, Rotate key) and its module")
  void dashboardPublishingPanel() throws Exception {
    HttpResponse<String> page = get("/dashboard/demo");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains(
            "id=\"admin-token\" type=\"password\"",
            "id=\"rotate\"",
            "id=\"disconnect\"",
            "id=\"watch-url\"",
            "id=\"rtmp-server\"",
            "id=\"whip-url\"");
    HttpResponse<String> js = get("/web/dashboard/publishing.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(header(js, "Content-Type")).contains("javascript");
    assertThat(js.body()).contains("/key", "disconnect=true");
  }

  @Test
  @DisplayName(
      "a site on another origin may load the player's modules and read a stream's type and sources (CORS)")
  void cors() throws Exception {
    for (String path :
        new String[] {
          "/web/waterfall-p2p.js",
          "/web/p2p/node.js",
          "/web/vendor/hls.min.js",
          "/api/streams/none",
          "/api/streams/none/fallbacks"
        }) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(coordinator.baseUrl + path))
                  .header("Origin", "https://site.example")
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(header(r, "Access-Control-Allow-Origin")).as(path).isEqualTo("*");
    }
    // A private stream's viewer token travels in Authorization: the browser asks first.
    HttpResponse<String> preflight =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(coordinator.baseUrl + "/api/streams/demo/fallbacks"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://site.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(header(preflight, "Access-Control-Allow-Headers")).isEqualTo("authorization");
    assertThat(header(preflight, "Access-Control-Allow-Methods")).contains("GET");
    // Admin calls and the tree stay same-origin: no CORS header, so another site's script cannot
    // read them.
    assertThat(header(get("/api/streams"), "Access-Control-Allow-Origin")).isEmpty();
    assertThat(header(get("/api/streams/none/tree"), "Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  @DisplayName("the REST API still answers beside the pages")
  void apiUnaffected() throws Exception {
    assertThat(get("/api/streams/none/fallbacks").statusCode()).isEqualTo(404);
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }
}

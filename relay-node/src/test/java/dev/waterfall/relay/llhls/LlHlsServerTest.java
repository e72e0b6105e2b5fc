package dev.waterfall.relay.llhls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.cmaf.Part;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * LlHlsServer over real HTTP: blocking reload, blocking part requests, and what bad requests get.
 */
class LlHlsServerTest {

  /** 1 s target: a held request gives up after 3 s. */
  static final LlSettings SETTINGS = new LlSettings(0.334, 1);

  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  Vertx vertx;
  PartStore store;
  LlHlsServer ll;
  String base;
  int added;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    store = new PartStore(100, 7000);
    ll = new LlHlsServer("demo", store, SETTINGS);
    Router router = Router.router(vertx);
    ll.mount(router);
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(router)
            .listen()
            .await(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort() + "/ll/demo/";
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The next part: three to a segment (1 s), the first independent. */
  void addPart() {
    int i = added++;
    store.add(
        new Part(new byte[] {(byte) i, 42}, 1 / 3.0, i % 3 == 0, i % 3 == 0),
        System.currentTimeMillis());
  }

  static HttpResponse<byte[]> get(String url) throws Exception {
    return getAsync(url).get(15, TimeUnit.SECONDS);
  }

  static CompletableFuture<HttpResponse<byte[]>> getAsync(String url) {
    return CLIENT.sendAsync(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static String body(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName(
      "503 before any media; then the playlist, init and complete segments; the open segment is 404")
  void servesWhatIsThere() throws Exception {
    assertThat(get(base + "index.m3u8").statusCode()).isEqualTo(503);
    store.setInit(new byte[] {9, 9});
    for (int i = 0; i < 4; i++) {
      addPart();
    }
    HttpResponse<byte[]> playlist = get(base + "index.m3u8");
    assertThat(playlist.statusCode()).isEqualTo(200);
    assertThat(playlist.headers().firstValue("Content-Type"))
        .hasValue("application/vnd.apple.mpegurl");
    assertThat(body(playlist))
        .contains("seg-100.m4s", "part-7003.m4s", "PRELOAD-HINT:TYPE=PART,URI=\"part-7004.m4s\"");
    assertThat(get(base + "init.mp4").body()).containsExactly(9, 9);
    assertThat(get(base + "seg-100.m4s").body()).containsExactly(0, 42, 1, 42, 2, 42);
    assertThat(get(base + "seg-101.m4s").statusCode()).isEqualTo(404);
    assertThat(get(base + "part-7003.m4s").body()).containsExactly(3, 42);
  }

  @Test
  @DisplayName("_HLS_msn/_HLS_part: held until that part exists, then a playlist listing it")
  void blockingReload() throws Exception {
    store.setInit(new byte[] {9});
    for (int i = 0; i < 4; i++) {
      addPart(); // 100 complete, 101 open with part 0
    }
    long asked = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> held =
        getAsync(base + "index.m3u8?_HLS_msn=101&_HLS_part=1");
    Thread.sleep(400);
    assertThat(held).isNotDone();
    assertThat(ll.waiting()).isEqualTo(1);
    addPart();
    HttpResponse<byte[]> r = held.get(5, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body(r)).contains("part-7004.m4s").endsWith("URI=\"part-7005.m4s\"\n");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked))
        .isGreaterThanOrEqualTo(350);
    assertThat(ll.waiting()).isZero();
    // Part 3 of the 3-part segment 101 = part 0 of 102: held until 102 begins.
    addPart();
    CompletableFuture<HttpResponse<byte[]>> next =
        getAsync(base + "index.m3u8?_HLS_msn=101&_HLS_part=3");
    Thread.sleep(300);
    assertThat(next).isNotDone();
    addPart();
    assertThat(body(next.get(5, TimeUnit.SECONDS))).contains("seg-101.m4s", "part-7006.m4s");
    // Already there: at once.
    assertThat(get(base + "index.m3u8?_HLS_msn=100").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("the preload-hinted part is held until complete and then sent whole")
  void blockingPart() throws Exception {
    store.setInit(new byte[] {9});
    addPart();
    CompletableFuture<HttpResponse<byte[]>> hinted = getAsync(base + "part-7001.m4s");
    Thread.sleep(300);
    assertThat(hinted).isNotDone();
    addPart();
    HttpResponse<byte[]> r = hinted.get(5, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp4");
    assertThat(r.body()).containsExactly(1, 42);
  }

  @Test
  @DisplayName(
      "a held request that is never satisfied gets 503 after three target durations; the server goes on")
  void timesOut() throws Exception {
    store.setInit(new byte[] {9});
    addPart();
    long asked = System.nanoTime();
    HttpResponse<byte[]> r = get(base + "index.m3u8?_HLS_msn=100&_HLS_part=2");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(ms).isBetween(2900L, 8000L);
    assertThat(ll.waiting()).isZero();
    assertThat(get(base + "index.m3u8").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("bad input: clear 4xx at once, and the server still answers")
  void badInput() throws Exception {
    store.setInit(new byte[] {9});
    addPart();
    HttpResponse<byte[]> malformed = get(base + "index.m3u8?_HLS_msn=abc");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(body(malformed)).contains("malformed _HLS_msn");
    assertThat(body(get(base + "index.m3u8?_HLS_part=1"))).contains("_HLS_part needs _HLS_msn");
    HttpResponse<byte[]> far = get(base + "index.m3u8?_HLS_msn=1000000");
    assertThat(far.statusCode()).isEqualTo(400);
    assertThat(body(far)).contains("too far ahead");
    assertThat(get(base + "index.m3u8?_HLS_msn=100&_HLS_part=50").statusCode()).isEqualTo(400);
    assertThat(get(base + "part-99999999.m4s").statusCode()).isEqualTo(404);
    assertThat(get(base + "part-1.m4s").statusCode()).isEqualTo(404);
    assertThat(get(base + "part-x.m4s").statusCode()).isEqualTo(404);
    assertThat(get(base + "seg-99999999999999999999.m4s").statusCode()).isEqualTo(404);
    HttpResponse<byte[]> other = get(base.replace("/demo/", "/other/") + "index.m3u8");
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(body(other)).contains("'other' is not served here");
    assertThat(get(base + "index.m3u8").statusCode()).isEqualTo(200);
    assertThat(ll.waiting()).isZero();
  }
}

package dev.waterfall.relay.source;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.waterfall.protocol.LogAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** HTTP ingest fed by the real ffmpeg over real HTTP on 127.0.0.1. */
class IngestSourceTest {

  private static final String KEY = "s3cret-publish-key";

  /** HTTP/1.1 like ffmpeg; the JDK client would otherwise upgrade to h2c, which Vert.x accepts. */
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static final HttpClient H2C =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** An ingest for stream "demo" on a fresh server; returns the playlist URL. */
  private static String serve(IngestSource ingest) throws Exception {
    Router router = Router.router(vertx);
    ingest.mount(router);
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(router)
            .listen()
            .await(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + server.actualPort() + ingest.playlistPath();
  }

  private static List<MediaSegment> drain(IngestSource ingest) {
    List<MediaSegment> segments = new ArrayList<>();
    for (Optional<MediaSegment> next = ingest.next(Duration.ofMillis(500));
        next.isPresent();
        next = ingest.next(Duration.ofMillis(500))) {
      segments.add(next.get());
    }
    return segments;
  }

  @Test
  @DisplayName("6 s from ffmpeg -f hls -method PUT: 3 segments, ~2 s each, numbered by the origin")
  void ffmpegPushes() throws Exception {
    IngestSource ingest = new IngestSource("demo", KEY, 1000);
    Ffmpeg.Result result = Ffmpeg.pushHls(6, serve(ingest), KEY);
    assertThat(result.exit()).as(result.output()).isZero();
    List<MediaSegment> segments = drain(ingest);
    assertThat(segments).extracting(MediaSegment::sequence).containsExactly(1000L, 1001L, 1002L);
    assertThat(segments)
        .allSatisfy(
            s -> {
              assertThat(s.durationMillis()).isBetween(1500, 2500);
              assertThat(s.bytes()[0]).isEqualTo((byte) 0x47); // MPEG-TS sync byte
              assertThat(s.bytes().length % 188).isZero();
              assertThat(s.discontinuity()).isFalse();
            });
    assertThat(segments.stream().mapToInt(MediaSegment::durationMillis).sum())
        .isBetween(5900, 6100);
    assertThat(ingest.pacedByCaller()).isFalse();
    assertThat(ingest.ended()).isFalse();
  }

  @Test
  @DisplayName(
      "ffmpeg started again: numbering continues and the first new segment is a discontinuity")
  void ffmpegRestarts() throws Exception {
    IngestSource ingest = new IngestSource("demo", KEY, 50);
    String url = serve(ingest);
    assertThat(Ffmpeg.pushHls(4, url, KEY).exit()).isZero();
    assertThat(Ffmpeg.pushHls(4, url, KEY).exit()).isZero();
    List<MediaSegment> segments = drain(ingest);
    assertThat(segments).extracting(MediaSegment::sequence).containsExactly(50L, 51L, 52L, 53L);
    assertThat(segments)
        .extracting(MediaSegment::discontinuity)
        .containsExactly(false, false, true, false);
    assertThat(segments)
        .extracting(MediaSegment::discontinuitySequence)
        .containsExactly(0L, 0L, 1L, 1L);
  }

  @Test
  @DisplayName("a wrong key: 401, and nothing is ingested")
  void wrongKey() throws Exception {
    IngestSource ingest = new IngestSource("demo", KEY, 0);
    String url = serve(ingest);
    // ffmpeg shrugs 401 off (exit 0, nothing said): the ingest counts what it refused instead.
    Ffmpeg.pushHls(4, url, "not-the-key");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ingest.refusedRequests() < 3 && System.nanoTime() < deadline) {
      sleep(20); // ffmpeg may exit before the server has handled its last request
    }
    assertThat(ingest.refusedRequests()).isGreaterThanOrEqualTo(3);
    assertThat(put(url, null, "#EXTM3U\n").statusCode()).isEqualTo(401);
    assertThat(put(url, "Bearer " + KEY + "x", "#EXTM3U\n").statusCode()).isEqualTo(401);
    assertThat(put(url, "Basic " + KEY, "#EXTM3U\n").statusCode()).isEqualTo(401);
    assertThat(ingest.next(Duration.ofMillis(200))).isEmpty();
    assertThat(ingest.segmentsPublished()).isZero();
  }

  @Test
  @DisplayName(
      "with --redact-addresses a refused uploader is logged by a keyed hash, not its address")
  void refusedUploaderAddressIsRedacted() throws Exception {
    IngestSource ingest = new IngestSource("demo", KEY, 0);
    Router router = Router.router(vertx);
    ingest.mount(router, LogAddresses.of(true));
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(router)
            .listen()
            .await(10, TimeUnit.SECONDS);
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(IngestEndpoint.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      String url = "http://127.0.0.1:" + server.actualPort() + ingest.playlistPath();
      assertThat(put(url, "Bearer wrong-key", "#EXTM3U\n").statusCode()).isEqualTo(401);
      List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(logged)
          .anySatisfy(
              l -> assertThat(l).contains("wrong or missing publish key").contains("addr-"));
      assertThat(String.join("\n", logged)).doesNotContain("127.0.0.1");
    } finally {
      logger.detachAppender(lines);
      server.close();
    }
  }

  @Test
  @DisplayName(
      "an upload over the cap is 413, with or without Content-Length; names, methods and streams are checked")
  void limits() throws Exception {
    IngestSource ingest = new IngestSource("demo", KEY, 0, 10_000, Duration.ofMillis(100));
    String url = serve(ingest);
    String segment = url.replace("index.m3u8", "index0.ts");
    byte[] big = new byte[50_000];
    HttpResponse<String> sized =
        send(
            HttpRequest.newBuilder(URI.create(segment))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(big)));
    assertThat(sized.statusCode()).isEqualTo(413);
    HttpResponse<String> chunked =
        send(
            HttpRequest.newBuilder(URI.create(segment))
                .PUT(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(chunked.body()).contains("larger than the limit of 10000 bytes");
    HttpResponse<String> overH2 =
        H2C.send(
            HttpRequest.newBuilder(URI.create(segment))
                .header("Authorization", "Bearer " + KEY)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(overH2.statusCode()).isEqualTo(413);

    assertThat(
            send(HttpRequest.newBuilder(URI.create(segment))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[9_000])))
                .statusCode())
        .isEqualTo(201);
    assertThat(send(HttpRequest.newBuilder(URI.create(segment)).DELETE()).statusCode())
        .isEqualTo(204);
    assertThat(
            send(HttpRequest.newBuilder(URI.create(url.replace("index.m3u8", "x.mp4")))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")))
                .statusCode())
        .isEqualTo(400);
    assertThat(
            send(HttpRequest.newBuilder(URI.create(url.replace("index.m3u8", ".hidden.ts")))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")))
                .statusCode())
        .isEqualTo(400);
    assertThat(
            send(HttpRequest.newBuilder(URI.create(url.replace("/demo/", "/other/")))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")))
                .statusCode())
        .isEqualTo(404);
    assertThat(send(HttpRequest.newBuilder(URI.create(url)).GET()).statusCode()).isEqualTo(405);
    assertThat(put(url, "Bearer " + KEY, "not a playlist").statusCode()).isEqualTo(400);
    assertThat(ingest.segmentsPublished()).isZero();
  }

  private static HttpResponse<String> put(String url, String authorization, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(
        request.header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  // --- the ordering rules, without HTTP
  // -------------------------------------------------------------------

  private static String playlist(long mediaSequence, String... names) {
    StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:" + mediaSequence + "\n");
    for (String name : names) {
      out.append("#EXTINF:2.000000,\n").append(name).append('\n');
    }
    return out.toString();
  }

  @Test
  @DisplayName("a segment listed before its upload completes follows as soon as it does, in order")
  void listedBeforeUploaded() {
    IngestSource ingest = new IngestSource("demo", KEY, 0, 1 << 20, Duration.ofMillis(10));
    ingest.segmentUploaded("i0.ts", new byte[] {1});
    ingest.playlistUploaded(playlist(0, "i0.ts"));
    ingest.playlistUploaded(playlist(0, "i0.ts", "i1.ts"));
    assertThat(drain(ingest)).extracting(MediaSegment::sequence).containsExactly(0L);
    ingest.segmentUploaded("i1.ts", new byte[] {2});
    ingest.segmentUploaded("i2.ts", new byte[] {3});
    ingest.playlistUploaded(playlist(0, "i0.ts", "i1.ts", "i2.ts"));
    ingest.playlistUploaded(playlist(1, "i1.ts", "i2.ts"));
    assertThat(drain(ingest)).extracting(s -> s.bytes()[0]).containsExactly((byte) 2, (byte) 3);
  }

  @Test
  @DisplayName(
      "an encoder that crashed and starts over with the same names: one discontinuity, numbering goes on")
  void crashedEncoderReusesNames() {
    IngestSource ingest = new IngestSource("demo", KEY, 0, 1 << 20, Duration.ofMillis(10));
    ingest.segmentUploaded("i0.ts", new byte[] {1});
    ingest.segmentUploaded("i1.ts", new byte[] {2});
    // no ENDLIST: it crashed uploading i2
    ingest.playlistUploaded(playlist(0, "i0.ts", "i1.ts", "i2.ts"));
    assertThat(drain(ingest)).hasSize(2);
    ingest.segmentUploaded("i0.ts", new byte[] {3}); // the new run's first file
    assertThat(drain(ingest)).isEmpty(); // the old playlist does not describe it
    ingest.playlistUploaded(playlist(0, "i0.ts"));
    ingest.segmentUploaded("i1.ts", new byte[] {4});
    ingest.playlistUploaded(playlist(0, "i0.ts", "i1.ts"));
    List<MediaSegment> segments = drain(ingest);
    assertThat(segments).extracting(s -> s.bytes()[0]).containsExactly((byte) 3, (byte) 4);
    assertThat(segments).extracting(MediaSegment::sequence).containsExactly(2L, 3L);
    assertThat(segments).extracting(MediaSegment::discontinuity).containsExactly(true, false);
  }

  @Test
  @DisplayName("a listed segment that never arrives is skipped once a later one is in")
  void lostUpload() {
    IngestSource ingest = new IngestSource("demo", KEY, 0, 1 << 20, Duration.ofMillis(10));
    ingest.segmentUploaded("i0.ts", new byte[] {1});
    ingest.segmentUploaded("i2.ts", new byte[] {3});
    ingest.playlistUploaded(playlist(0, "i0.ts", "i1.ts", "i2.ts"));
    assertThat(drain(ingest)).extracting(s -> s.bytes()[0]).containsExactly((byte) 1, (byte) 3);
    ingest.segmentUploaded("i1.ts", new byte[] {2}); // too late: it would come out of order
    assertThat(drain(ingest)).isEmpty();
  }

  @Test
  @DisplayName(
      "memory stays bounded: unlisted uploads and untaken segments are dropped oldest first")
  void bounded() {
    IngestSource ingest = new IngestSource("demo", KEY, 0, 1 << 20, Duration.ofMillis(10));
    for (int i = 0; i < IngestSource.MAX_PENDING_UPLOADS + 5; i++) {
      ingest.segmentUploaded("u" + i + ".ts", new byte[] {1});
    }
    assertThat(ingest.dropped()).isEqualTo(5);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < IngestSource.MAX_READY + 10; i++) {
      names.add("s" + i + ".ts");
      ingest.segmentUploaded("s" + i + ".ts", new byte[] {(byte) i});
      ingest.playlistUploaded(playlist(i, names.get(i)));
    }
    List<MediaSegment> segments = drain(ingest);
    assertThat(segments).hasSize(IngestSource.MAX_READY);
    assertThat(segments.get(0).sequence()).isEqualTo(10);
  }

  @Test
  @DisplayName("next() waits and returns empty on timeout; finish() and close() end it")
  void waitingAndEnding() throws Exception {
    IngestSource ingest = new IngestSource("demo", KEY, 0, 1 << 20, Duration.ofMillis(150));
    long started = System.nanoTime();
    assertThat(ingest.next()).isEmpty();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(140L, 1000L);
    Thread producer =
        new Thread(
            () -> {
              sleep(100);
              ingest.segmentUploaded("a.ts", new byte[] {9});
              ingest.playlistUploaded(playlist(0, "a.ts"));
            });
    producer.start();
    assertThat(ingest.next(Duration.ofSeconds(5))).isPresent();
    ingest.segmentUploaded("b.ts", new byte[] {8});
    ingest.playlistUploaded(playlist(0, "a.ts", "b.ts"));
    ingest.finish();
    assertThat(ingest.ended()).isFalse(); // one left to take
    assertThat(ingest.next()).isPresent();
    assertThat(ingest.ended()).isTrue();
    started = System.nanoTime();
    assertThat(ingest.next()).isEmpty(); // waits out the timeout: a careless loop idles, not spins
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(140L);
    Thread closer =
        new Thread(
            () -> {
              sleep(100);
              ingest.close();
            });
    closer.start();
    started = System.nanoTime();
    assertThat(ingest.next(Duration.ofSeconds(5))).isEmpty(); // close() wakes a waiting next()
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1000L);
    assertThat(ingest.ended()).isTrue();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.waterfall.relay.http;

import static dev.waterfall.relay.http.HttpFixture.get;
import static dev.waterfall.relay.http.HttpFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.relay.store.PlaylistBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** HlsServer over a store filled from the sample, asked over real HTTP. */
class HlsServerTest {

  private static Vertx vertx;
  private static StoreFixture fixture;
  private static String base;
  private static String empty;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    fixture = StoreFixture.filled(100, 7);
    // A segment held only partly: header and chunk 0 of 101's bytes as segment 107.
    MediaSegment partial = new MediaSegment(107, fixture.segments.get(1).bytes(), 2000, false, 1);
    fixture.publish(partial, List.of(0));
    base = serve(new HlsServer("demo", fixture.store)) + "/hls/demo/";
    empty = serve(new HlsServer("demo", fixture.emptyPeer())) + "/hls/demo/";
  }

  private static String serve(HlsServer hls) throws Exception {
    Router router = Router.router(vertx);
    hls.mount(router);
    HttpServer server = HttpFixture.listen(vertx, router);
    return HttpFixture.base(server);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the playlist is PlaylistBuilder's, never cached, readable from any origin")
  void playlist() throws Exception {
    HttpResponse<byte[]> response = get(base + "index.m3u8", "Origin", "https://player.example");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(text(response)).isEqualTo(new PlaylistBuilder().build(fixture.store).orElseThrow());
    assertThat(text(response))
        .contains("#EXT-X-MEDIA-SEQUENCE:101\n")
        .contains("seg-106.ts\n")
        .doesNotContain("seg-107.ts");
    assertThat(header(response, "Content-Type")).isEqualTo("application/vnd.apple.mpegurl");
    assertThat(header(response, "Cache-Control")).isEqualTo("no-cache");
    assertThat(header(response, "Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(header(response, "Access-Control-Expose-Headers"))
        .contains("Content-Range", "Content-Length");
  }

  @Test
  @DisplayName("503 'no segment yet' before the first complete segment")
  void noSegmentYet() throws Exception {
    HttpResponse<byte[]> response = get(empty + "index.m3u8");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(text(response)).contains("no segment yet");
    assertThat(header(response, "Cache-Control")).isEqualTo("no-store");
    assertThat(header(response, "Access-Control-Allow-Origin")).isEqualTo("*");
  }

  @Test
  @DisplayName("every segment comes back byte-identical, immutable-cached")
  void segments() throws Exception {
    for (MediaSegment segment : fixture.segments.subList(0, 7)) {
      HttpResponse<byte[]> response = get(base + "seg-" + segment.sequence() + ".ts");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(segment.bytes());
      assertThat(header(response, "Content-Type")).isEqualTo("video/mp2t");
      assertThat(header(response, "Content-Length"))
          .isEqualTo(Integer.toString(segment.bytes().length));
      assertThat(header(response, "Cache-Control")).contains("max-age=31536000", "immutable");
      assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
    }
  }

  @Test
  @DisplayName(
      "Range: a-b, a- and -n give 206 with Content-Range; past the end 416; nonsense is ignored")
  void ranges() throws Exception {
    byte[] bytes = fixture.segments.get(2).bytes();
    int n = bytes.length;
    String url = base + "seg-102.ts";

    HttpResponse<byte[]> middle = get(url, "Range", "bytes=65536-131071");
    assertThat(middle.statusCode()).isEqualTo(206);
    assertThat(header(middle, "Content-Range")).isEqualTo("bytes 65536-131071/" + n);
    assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(bytes, 65536, 131072));

    HttpResponse<byte[]> open = get(url, "Range", "bytes=1000-");
    assertThat(open.statusCode()).isEqualTo(206);
    assertThat(open.body()).isEqualTo(Arrays.copyOfRange(bytes, 1000, n));

    HttpResponse<byte[]> suffix = get(url, "Range", "bytes=-188");
    assertThat(header(suffix, "Content-Range"))
        .isEqualTo("bytes " + (n - 188) + "-" + (n - 1) + "/" + n);
    assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(bytes, n - 188, n));

    HttpResponse<byte[]> clamped = get(url, "Range", "bytes=" + (n - 10) + "-99999999");
    assertThat(clamped.statusCode()).isEqualTo(206);
    assertThat(clamped.body()).hasSize(10);

    HttpResponse<byte[]> past = get(url, "Range", "bytes=" + n + "-");
    assertThat(past.statusCode()).isEqualTo(416);
    assertThat(header(past, "Content-Range")).isEqualTo("bytes */" + n);
    assertThat(get(url, "Range", "bytes=-0").statusCode()).isEqualTo(416);

    assertThat(get(url, "Range", "bytes=50-10").statusCode()).isEqualTo(200);
    assertThat(get(url, "Range", "bytes=0-1,5-9").body()).isEqualTo(bytes);
    assertThat(get(url, "Range", "pages=1").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName(".hdr is a HEADER frame whose signed header verifies")
  void signedHeader() throws Exception {
    HttpResponse<byte[]> response = get(base + "seg-103.hdr");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
    Frame frame = FrameCodec.decode(response.body());
    assertThat(frame).isInstanceOf(Frame.Header.class);
    Frame.Header h = (Frame.Header) frame;
    assertThat(StoreFixture.SIGNER.verifier().verify(h.signed()).sequence()).isEqualTo(103);
    assertThat(h.signed()).isEqualTo(fixture.headers.get(3));
    // Partly held segments have their header served too, so another node can start healing them.
    assertThat(get(base + "seg-107.hdr").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("chunks, also of a partly held segment; what is not held is 404")
  void chunks() throws Exception {
    List<byte[]> chunks = Chunker.standard().split(fixture.segments.get(4).bytes());
    for (int i = 0; i < chunks.size(); i++) {
      HttpResponse<byte[]> response = get(base + "seg-104.ts/chunk/" + i);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(chunks.get(i));
    }
    assertThat(get(base + "seg-104.ts/chunk/" + chunks.size()).statusCode()).isEqualTo(404);

    byte[] partialChunk0 = Chunker.standard().split(fixture.segments.get(1).bytes()).get(0);
    assertThat(get(base + "seg-107.ts/chunk/0").body()).isEqualTo(partialChunk0);
    assertThat(get(base + "seg-107.ts/chunk/1").statusCode()).isEqualTo(404);
    HttpResponse<byte[]> incomplete = get(base + "seg-107.ts");
    assertThat(incomplete.statusCode()).isEqualTo(404);
    assertThat(text(incomplete)).contains("not complete");
  }

  @Test
  @DisplayName("HEAD answers like GET without a body")
  void head() throws Exception {
    HttpResponse<byte[]> playlist = send("HEAD", base + "index.m3u8");
    assertThat(playlist.statusCode()).isEqualTo(200);
    assertThat(playlist.body()).isEmpty();
    assertThat(header(playlist, "Content-Length"))
        .isEqualTo(Integer.toString(get(base + "index.m3u8").body().length));
    HttpResponse<byte[]> segment = send("HEAD", base + "seg-100.ts");
    assertThat(header(segment, "Content-Length"))
        .isEqualTo(Integer.toString(fixture.segments.get(0).bytes().length));
    assertThat(send("HEAD", base + "seg-100.ts", "Range", "bytes=0-9").statusCode()).isEqualTo(206);
    assertThat(send("HEAD", base + "seg-9.ts").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("CORS preflight: 204 with methods and the asked headers")
  void preflight() throws Exception {
    HttpResponse<byte[]> response =
        send(
            "OPTIONS",
            base + "seg-100.ts",
            "Origin",
            "https://player.example",
            "Access-Control-Request-Method",
            "GET",
            "Access-Control-Request-Headers",
            "range");
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(header(response, "Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(header(response, "Access-Control-Allow-Methods")).contains("GET", "HEAD");
    assertThat(header(response, "Access-Control-Allow-Headers")).isEqualTo("range");
    assertThat(header(response, "Access-Control-Max-Age")).isEqualTo("86400");
  }

  @Test
  @DisplayName(
      "other streams and unknown paths are 404, malformed numbers 400, writes 405; never a 500")
  void errors() throws Exception {
    HttpResponse<byte[]> other = get(base.replace("/demo/", "/other/") + "index.m3u8");
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(text(other)).contains("'other' is not served here").contains("'demo'");
    assertThat(header(other, "Access-Control-Allow-Origin")).isEqualTo("*");

    for (String path :
        List.of(
            "seg-abc.ts",
            "seg-.ts",
            "seg--1.ts",
            "seg-+5.ts",
            "seg-99999999999999999999.ts",
            "seg-9007199254740992.hdr",
            "seg-100.ts/chunk/x",
            "seg-100.ts/chunk/-1",
            "seg-100.ts/chunk/70000")) {
      HttpResponse<byte[]> response = get(base + path);
      assertThat(response.statusCode()).as(path).isEqualTo(400);
      assertThat(text(response)).as(path).containsAnyOf("segment number", "chunk index");
    }
    for (String path :
        List.of(
            "",
            "foo",
            "index.m3u9",
            "seg-100.mp4",
            "seg-100.hdr/chunk/0",
            "seg-100.ts/chunk",
            "seg-100.ts/chunk/0/1",
            "seg-100.ts/bytes/0",
            "seg-5000.ts",
            "seg-5000.hdr",
            "seg-9007199254740991.ts")) {
      assertThat(get(base + path).statusCode()).as(path).isEqualTo(404);
    }
    assertThat(get(base.replace("/hls/demo/", "/hls/")).statusCode()).isEqualTo(404);
    String root = base.substring(0, base.indexOf("/hls/"));
    assertThat(HttpFixture.rawStatus(root, "GET", "/hls/%zz/index.m3u8")).isEqualTo(400);
    assertThat(HttpFixture.rawStatus(root, "GET", "/hls/demo/seg-%31%30%30.ts")).isEqualTo(200);
    HttpResponse<byte[]> post = send("POST", base + "index.m3u8");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(header(post, "Allow")).contains("GET");
  }

  @Test
  @DisplayName("a percent-encoded stream name is decoded before it is compared")
  void encodedStreamName() throws Exception {
    assertThat(get(base.replace("/demo/", "/d%65mo/") + "index.m3u8").statusCode()).isEqualTo(200);
    assertThat(HlsPaths.playlist("live show")).isEqualTo("/hls/live%20show/index.m3u8");
    assertThat(SampleSource.loadClips()).hasSize(5);
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static String header(HttpResponse<byte[]> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}

package dev.waterfall.relay.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.protocol.tls.TestCertificates;
import dev.waterfall.relay.key.PublishKey;
import dev.waterfall.relay.rtmp.RtmpGate;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real ffmpeg, from a file and from an RTMP publisher, through the private ingest. */
class FfmpegSourceTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "--input: a generated 6 s file is published in real time as >= 2 segments, then the source ends")
  void publishesAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pattern.mp4");
    List<String> args = new ArrayList<>(Ffmpeg.TEST_PATTERN);
    args.addAll(List.of("-t", "6"));
    args.addAll(Ffmpeg.ENCODE);
    args.add(file.toString());
    assertThat(Ffmpeg.run(args).exit()).isZero();

    FfmpegSource source =
        FfmpegSource.start(
                vertx,
                FfmpegOptions.file("demo", file, false)
                    .withFirstSequence(500)
                    .withVideoBitrate("800k"))
            .await(10, TimeUnit.SECONDS);
    try {
      long started = System.nanoTime();
      List<MediaSegment> segments = new ArrayList<>();
      while (!source.ended() && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20)) {
        source.next(Duration.ofMillis(500)).ifPresent(segments::add);
      }
      assertThat(source.ended()).isTrue();
      assertThat(segments.size()).isGreaterThanOrEqualTo(2);
      assertThat(segments.get(0).sequence()).isEqualTo(500);
      assertThat(segments.get(1).sequence()).isEqualTo(501);
      assertThat(segments).allSatisfy(s -> assertThat(s.bytes()[0]).isEqualTo((byte) 0x47));
      assertThat(segments.stream().mapToInt(MediaSegment::durationMillis).sum())
          .isBetween(5500, 6500);
      // -re: the first segment is not out before ffmpeg has played about 2 s of the file
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThan(4000);
      assertThat(source.starts()).isEqualTo(1);
    } finally {
      source.close();
    }
  }

  @Test
  @DisplayName(
      "--rtmp: only the publish key as stream key gets through the gate; a wrong one reaches no"
          + " ffmpeg, publishes nothing, and the next publisher with the key is served")
  void rtmpNeedsThePublishKey() throws Exception {
    FfmpegSource source =
        FfmpegSource.start(vertx, FfmpegOptions.rtmp("demo", "127.0.0.1", 1935))
            .await(10, TimeUnit.SECONDS);
    PublishKey key = new PublishKey("the-publish-key");
    try (RtmpGate gate =
        RtmpGate.start(
            "127.0.0.1",
            0,
            "demo",
            key,
            source::openPublisher,
            dev.waterfall.protocol.LogAddresses.of(false))) {
      String base = "rtmp://127.0.0.1:" + gate.port() + "/live/";
      // OBS's default for a custom server before the key is typed, and a guess: both refused.
      for (String wrong : new String[] {"demo", "the-publish-ke"}) {
        Ffmpeg.Result refused = Ffmpeg.run(publishArgs(base + wrong, 2));
        assertThat(refused.exit()).as(refused.output()).isNotZero();
      }
      assertThat(source.starts()).as("no encoder was started for them").isZero();
      assertThat(source.next(Duration.ofMillis(500))).as("nothing published").isEmpty();

      publishRtmp(base + "the-publish-key", 3);
      List<MediaSegment> first = collect(source, 2);
      assertThat(first).extracting(MediaSegment::sequence).containsExactly(0L, 1L);
      assertThat(first).allSatisfy(seg -> assertThat(seg.bytes()[0]).isEqualTo((byte) 0x47));
      // the publisher left; the next one gets a fresh encoder run
      publishRtmp(base + "the-publish-key", 3);
      List<MediaSegment> second = collect(source, 1);
      assertThat(second.get(0).sequence()).isGreaterThanOrEqualTo(2);
      assertThat(second.get(0).discontinuity()).isTrue();
      assertThat(source.starts()).isEqualTo(2);

      // A rotation (the coordinator's publish-key): the old key is refused from then on.
      key.rotated(
          java.util.Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest("rotated".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      assertThat(Ffmpeg.run(publishArgs(base + "the-publish-key", 2)).exit()).isNotZero();
      assertThat(source.starts()).isEqualTo(2);
      assertThat(source.ended()).isFalse();
    } finally {
      source.close();
    }
    assertThat(source.ended()).isTrue();
    assertThat(source.next()).isEmpty();
  }

  @Test
  @DisplayName(
      "RTMPS (the origin has a certificate): ffmpeg publishes over rtmps:// with the key; a wrong"
          + " key and a plain rtmp:// client on the same port are refused and reach no ffmpeg")
  void rtmpsNeedsThePublishKey(@TempDir Path dir) throws Exception {
    TestCertificates.assumeOpenssl();
    Path cert = dir.resolve("cert.pem");
    Path tlsKey = dir.resolve("key.pem");
    TestCertificates.issue(TestCertificates.newCa(dir, "lab"), cert, tlsKey, 10);
    PemKeyPair pair = PemKeyPair.load(cert, tlsKey);
    FfmpegSource source =
        FfmpegSource.start(vertx, FfmpegOptions.rtmp("demo", "127.0.0.1", 1935))
            .await(10, TimeUnit.SECONDS);
    try (RtmpGate gate =
        RtmpGate.start(
            "127.0.0.1",
            0,
            "demo",
            new PublishKey("the-publish-key"),
            source::openPublisher,
            dev.waterfall.protocol.LogAddresses.of(false),
            () -> pair)) {
      String tls = "rtmps://127.0.0.1:" + gate.port() + "/live/";
      Ffmpeg.Result wrongKey = Ffmpeg.run(publishArgs(tls + "demo", 2));
      assertThat(wrongKey.exit()).as(wrongKey.output()).isNotZero();
      long started = System.nanoTime();
      Ffmpeg.Result plain =
          Ffmpeg.run(publishArgs("rtmp://127.0.0.1:" + gate.port() + "/live/the-publish-key", 2));
      assertThat(plain.exit()).as(plain.output()).isNotZero();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
          .as("refused at once, not left to time out")
          .isLessThan(5000);
      assertThat(source.starts()).as("no encoder was started for them").isZero();
      assertThat(source.next(Duration.ofMillis(500))).as("nothing published").isEmpty();

      publishRtmp(tls + "the-publish-key", 3);
      List<MediaSegment> segments = collect(source, 2);
      assertThat(segments).extracting(MediaSegment::sequence).containsExactly(0L, 1L);
      assertThat(segments).allSatisfy(seg -> assertThat(seg.bytes()[0]).isEqualTo((byte) 0x47));
      assertThat(source.starts()).isEqualTo(1);
    } finally {
      source.close();
    }
  }

  private static List<String> publishArgs(String url, int seconds) {
    List<String> args = new ArrayList<>(List.of("-re"));
    args.addAll(Ffmpeg.TEST_PATTERN);
    args.addAll(List.of("-t", Integer.toString(seconds)));
    args.addAll(Ffmpeg.ENCODE);
    args.addAll(List.of("-f", "flv", url));
    return args;
  }

  /** Pushes {@code seconds} of the test pattern, retrying while the listener is not up yet. */
  private static void publishRtmp(String url, int seconds) throws Exception {
    List<String> args = publishArgs(url, seconds);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Ffmpeg.Result result;
    do {
      result = Ffmpeg.run(args);
      if (result.exit() == 0) {
        return;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("could not publish to " + url + ": " + result.output());
  }

  private static List<MediaSegment> collect(FfmpegSource source, int count) {
    List<MediaSegment> segments = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (segments.size() < count && System.nanoTime() < deadline) {
      Optional<MediaSegment> next = source.next(Duration.ofMillis(500));
      next.ifPresent(segments::add);
    }
    assertThat(segments).hasSize(count);
    return segments;
  }

  @Test
  @DisplayName("no ffmpeg on PATH: the error says how to install it")
  void installHint() {
    assertThatThrownBy(() -> FfmpegCommand.find(""))
        .isInstanceOf(FfmpegCommand.NotFoundException.class)
        .hasMessageContaining("apt-get install -y ffmpeg")
        .hasMessageContaining("brew install ffmpeg");
    assertThatThrownBy(() -> FfmpegCommand.find(null))
        .isInstanceOf(FfmpegCommand.NotFoundException.class);
    assertThat(FfmpegSource.findFfmpeg()).endsWith("ffmpeg");
  }

  @Test
  @DisplayName(
      "the command: real time, loop, RTMP listener, keyframe per segment, bitrate, PUT with the key")
  void command() {
    List<String> file =
        FfmpegCommand.build(
            "ffmpeg",
            FfmpegOptions.file("demo", Path.of("in.mkv"), true).withVideoBitrate("2500k"),
            "http://127.0.0.1:1/ingest/demo/index.m3u8",
            "k");
    assertThat(String.join(" ", file))
        .contains("-re -stream_loop -1 -i in.mkv")
        .contains("-c:v libx264 -preset veryfast")
        .contains("-force_key_frames expr:gte(t,n_forced*2) -sc_threshold 0")
        .contains("-b:v 2500k -maxrate 2500k -bufsize 5000k")
        .contains("-c:a aac -b:a 128k")
        .contains("-f hls -hls_time 2")
        .contains("-method PUT")
        .endsWith("http://127.0.0.1:1/ingest/demo/index.m3u8");
    assertThat(file).contains("Authorization: Bearer k\r\n");
    List<String> rtmp =
        FfmpegCommand.build("ffmpeg", FfmpegOptions.rtmp("demo", "0.0.0.0", 1935), "u", "k");
    assertThat(String.join(" ", rtmp))
        .contains("-f flv -i pipe:0")
        .doesNotContain("-listen")
        .doesNotContain("-re")
        .doesNotContain("-b:v");
    assertThatThrownBy(
            () -> FfmpegOptions.file("demo", Path.of("x"), false).withVideoBitrate("lots"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new FfmpegOptions("demo", Path.of("x"), false, "h", 1935, null, "128k", 2, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

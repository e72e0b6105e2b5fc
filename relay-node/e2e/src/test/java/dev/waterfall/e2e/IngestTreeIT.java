package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.segment;
import static dev.waterfall.e2e.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.Relay;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.FfmpegOptions;
import dev.waterfall.relay.source.FfmpegSource;
import dev.waterfall.relay.source.IngestSource;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.source.SegmentSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("a 20 s ffmpeg test pattern published into a chain of boosters")
class IngestTreeIT {
  private static final String FFMPEG = "/usr/bin/ffmpeg";

  /**
   * 20 s of 2 s segments is 10, give or take the encoder's last one; the HLS playlists list only
   * the newest 6, so that is what is compared, and the tree's delivery of the rest is checked with
   * the segment counter.
   */
  private static final int AT_LEAST = 5;

  @RegisterExtension static final StreamRig rig = StreamRig.perClass();

  @Test
  @DisplayName("through --input (FfmpegSource) reaches a booster two levels down, byte for byte")
  void aFileThroughFfmpegReachesTheSecondLevel() throws Exception {
    Path dir = Files.createTempDirectory("ingest-it-");
    Path file = dir.resolve("pattern.mp4");
    Path log = dir.resolve("encode.log");
    Process encode =
        ffmpeg(
            log,
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            "20",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            file.toString());
    assertThat(encode.waitFor(120, TimeUnit.SECONDS)).as("test pattern encoded").isTrue();
    assertThat(encode.exitValue()).as(Files.readString(log)).isZero();

    String key = rig.createStream("file", 1);
    // ffmpeg plays the file in real time from the moment it starts: hold it back until the chain is
    // built, so the boosters see the stream from its first segment.
    Gate gate = new Gate();
    Relay origin =
        rig.add(
            Relay.startOrigin(
                rig.vertx,
                rig.peers,
                options("file", key),
                SegmentSigner.generate(),
                gate,
                r -> {}));
    Relay first = rig.booster("file");
    Relay second = rig.booster("file");
    FfmpegSource source =
        FfmpegSource.start(rig.vertx, FfmpegOptions.file("file", file, false).withFfmpeg(FFMPEG))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    gate.open(source);

    long deadline = System.currentTimeMillis() + 120_000;
    while (!source.ended() && System.currentTimeMillis() < deadline) {
      Thread.sleep(500);
    }
    assertThat(source.ended()).as("the file played to its end").isTrue();
    assertSameSegments(origin, List.of(first, second), "file");
  }

  @Test
  @DisplayName(
      "through HTTP PUT ingest on the origin reaches a booster two levels down, byte for byte")
  void httpPutIngestReachesTheSecondLevel() throws Exception {
    String key = rig.createStream("put", 1);
    IngestSource ingest = new IngestSource("put", key, System.currentTimeMillis() / 2000);
    Relay origin =
        rig.add(
            Relay.startOrigin(
                rig.vertx,
                rig.peers,
                options("put", key),
                SegmentSigner.generate(),
                ingest,
                ingest::mount));
    Relay first = rig.booster("put");
    Relay second = rig.booster("put");

    Path log = Files.createTempFile("ingest-put-", ".log");
    Process encoder =
        ffmpeg(
            log,
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            "20",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-force_key_frames",
            "expr:gte(t,n_forced*2)",
            "-sc_threshold",
            "0",
            "-c:a",
            "aac",
            "-ac",
            "2",
            "-ar",
            "48000",
            "-f",
            "hls",
            "-hls_time",
            "2",
            "-hls_list_size",
            "6",
            "-method",
            "PUT",
            "-headers",
            "Authorization: Bearer " + key + "\r\n",
            "http://127.0.0.1:" + origin.httpPort() + ingest.playlistPath());
    try {
      assertThat(encoder.waitFor(120, TimeUnit.SECONDS)).as("ffmpeg finished").isTrue();
      assertThat(encoder.exitValue()).as(Files.readString(log)).isZero();
    } finally {
      encoder.destroyForcibly();
    }
    assertThat(ingest.refusedRequests()).as("PUTs refused").isZero();
    assertSameSegments(origin, List.of(first, second), "put");
  }

  // --- helpers
  // ----------------------------------------------------------------------------------------------

  private static Relay.Options options(String stream, String key) {
    return new Relay.Options(List.of(rig.base), stream, key, "127.0.0.1", 0, null);
  }

  private static Process ffmpeg(Path log, String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of(FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"));
    cmd.addAll(Arrays.asList(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Waits until each booster lists what the origin lists (the stream is over), then compares every
   * segment.
   */
  private static void assertSameSegments(Relay origin, List<Relay> boosters, String stream)
      throws Exception {
    for (Relay b : boosters) {
      // The origin may still be chunking the last segment: compare against what it lists at each
      // look.
      long deadline = System.currentTimeMillis() + 30_000;
      while (!sequences(b, stream).equals(sequences(origin, stream))
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
      }
    }
    List<Long> published = sequences(origin, stream);
    assertThat(published).as("segments at the origin").hasSizeGreaterThanOrEqualTo(AT_LEAST);
    for (Relay b : boosters) {
      assertThat(sequences(b, stream)).as("segments at %s", b.node().nodeId()).isEqualTo(published);
      assertThat(StreamRig.metric(b, "waterfall_relay_segments_complete_total"))
          .as("segments completed from the parent at %s", b.node().nodeId())
          .isGreaterThanOrEqualTo(AT_LEAST);
      for (long seq : published) {
        byte[] mine = segment(b, stream, seq);
        assertThat(mine).as("segment %d at %s", seq, b.node().nodeId()).isNotNull().isNotEmpty();
        assertThat(Arrays.equals(mine, segment(origin, stream, seq)))
            .as("segment %d identical at %s", seq, b.node().nodeId())
            .isTrue();
      }
    }
  }

  /** A source that yields nothing until a real one is plugged in, then is that source. */
  private static final class Gate implements SegmentSource {
    private volatile SegmentSource inner;

    void open(SegmentSource source) {
      inner = source;
    }

    @Override
    public Optional<MediaSegment> next() throws IOException {
      SegmentSource s = inner;
      if (s != null) {
        return s.next();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Optional.empty();
    }

    @Override
    public boolean pacedByCaller() {
      return false;
    }

    @Override
    public void close() throws IOException {
      if (inner != null) {
        inner.close();
      }
    }
  }
}

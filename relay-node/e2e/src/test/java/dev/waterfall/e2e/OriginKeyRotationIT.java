package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.Relay;
import dev.waterfall.relay.key.PublishKey;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.IngestSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publish key at the origin after a rotation ({@code POST /api/streams/{name}/key}): its own
 * ingest (HTTP PUT, WHIP) refuses the old key as the coordinators do, without a restart, and an
 * origin cut off with {@code disconnect=true} stops publishing and exits with a message. A real
 * coordinator, real origins, real HTTP on 127.0.0.1; the last one a real {@code waterfall publish}
 * process.
 */
@DisplayName("the publish key at the origin, after a rotation")
class OriginKeyRotationIT {
  @RegisterExtension static final StreamRig rig = StreamRig.perClass();

  private static String rotate(String stream, String query) {
    var r =
        Http.send(
            "POST",
            rig.base + "/api/streams/" + stream + "/key" + query,
            null,
            "Authorization",
            "Bearer " + StreamRig.ADMIN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body().replaceAll(".*\"publishKey\":\"([^\"]+)\".*", "$1");
  }

  /**
   * Polls {@code request} until it answers {@code status}, up to 5 s: the new hash reaches the
   * origin over its coordinator socket a moment after the REST answer. Returns the milliseconds.
   */
  private static long awaitStatus(java.util.function.IntSupplier request, int status)
      throws InterruptedException {
    long began = System.nanoTime();
    long deadline = began + 5_000_000_000L;
    int last;
    while ((last = request.getAsInt()) != status && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(last).isEqualTo(status);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
  }

  @Test
  @DisplayName("HTTP ingest: after a rotation the old key gets 401, the new one is taken")
  void httpIngestFollowsTheRotation() throws Exception {
    String old = rig.createStream("rot-put", 4);
    PublishKey current = new PublishKey(old);
    IngestSource ingest =
        new IngestSource("rot-put", old, System.currentTimeMillis() / 2000).followKey(current);
    Relay origin =
        rig.add(
            Relay.startOrigin(
                rig.vertx,
                rig.peers,
                new Relay.Options(List.of(rig.base), "rot-put", old, "127.0.0.1", 0, null),
                SegmentSigner.generate(),
                ingest,
                ingest::mount,
                null,
                current,
                null));
    String url = "http://127.0.0.1:" + origin.httpPort() + "/ingest/rot-put/a.ts";
    java.util.function.Function<String, Integer> put =
        key -> Http.send("PUT", url, "bytes", "Authorization", "Bearer " + key).statusCode();
    assertThat(put.apply(old)).isBetween(200, 299);

    String fresh = rotate("rot-put", "");
    long ms = awaitStatus(() -> put.apply(old), 401);
    System.out.println("HTTP ingest refused the old key " + ms + " ms after the rotation's answer");
    assertThat(put.apply(fresh)).isBetween(200, 299);
    // Not cut off: the origin is still the connected root.
    assertThat(
            Http.json(rig.base + "/api/streams/rot-put/tree")
                .get("nodes")
                .get(0)
                .get("connected")
                .booleanValue())
        .isTrue();
  }

  @Test
  @DisplayName("WHIP: after a rotation the old key gets 401, the new one passes the key check")
  void whipFollowsTheRotation() throws Exception {
    String old = rig.createRealtimeStream("rot-whip", 4);
    Relay origin =
        rig.add(
            Relay.startWhipOrigin(
                rig.vertx,
                rig.peers,
                new Relay.Options(List.of(rig.base), "rot-whip", old, "127.0.0.1", 0, null)));
    String url = "http://127.0.0.1:" + origin.httpPort() + "/whip/rot-whip";
    // Not an SDP offer: past the key check it is refused 400 and nothing changes.
    java.util.function.Function<String, Integer> post =
        key ->
            Http.send(
                    "POST",
                    url,
                    "not sdp",
                    "Authorization",
                    "Bearer " + key,
                    "Content-Type",
                    "application/sdp")
                .statusCode();
    assertThat(post.apply(old)).isEqualTo(400);

    String fresh = rotate("rot-whip", "?disconnect=false");
    long ms = awaitStatus(() -> post.apply(old), 401);
    System.out.println("WHIP refused the old key " + ms + " ms after the rotation's answer");
    assertThat(post.apply(fresh)).isEqualTo(400);
  }

  @Test
  @DisplayName(
      "publish --rtmp: a wrong stream key is refused and publishes nothing; the key publishes;"
          + " after a rotation the old key is refused while the origin keeps serving")
  void rtmpTakesOnlyTheCurrentKey() throws Exception {
    String key = rig.createStream("rot-rtmp", 4);
    int rtmp = Http.freePort();
    int http = Http.freePort();
    Path log = Files.createTempFile("origin-rtmp-", ".log");
    Process p =
        origin(
            log,
            "rot-rtmp",
            key,
            "--rtmp",
            Integer.toString(rtmp),
            "--http-port",
            Integer.toString(http));
    String playlist = "http://127.0.0.1:" + http + "/hls/rot-rtmp/index.m3u8";
    try {
      awaitConnected("rot-rtmp", p, log);
      String server = "rtmp://127.0.0.1:" + rtmp + "/live/";
      // OBS with the stream's name, the old way, and with a guess: refused, nothing published.
      assertThat(pushRtmp(server + "rot-rtmp", 2)).isNotZero();
      assertThat(pushRtmp(server + "not-" + key, 2)).isNotZero();
      assertThat(new String(Http.get(playlist).body())).as("no segment").doesNotContain("seg-");
      String out = Files.readString(log);
      assertThat(out).contains("wrong stream key").doesNotContain("not-" + key);

      assertThat(pushRtmp(server + key, 6)).isZero();
      long deadline = System.currentTimeMillis() + 20_000;
      while (!new String(Http.get(playlist).body()).contains("seg-")
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      String published = new String(Http.get(playlist).body());
      assertThat(published).as("segments from the publisher with the key").contains("seg-");

      rotate("rot-rtmp", "");
      long refused = awaitExit(() -> pushRtmp(server + key, 1), 0);
      System.out.println("RTMP refused the old key " + refused + " ms after the rotation's answer");
      assertThat(p.isAlive()).isTrue();
      assertThat(Http.get(playlist).statusCode()).as("the origin keeps serving").isEqualTo(200);
      assertThat(Files.readString(log)).doesNotContain(key);
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
  }

  /** ffmpeg publishing {@code seconds} of a test pattern to {@code url}; its exit status. */
  private static int pushRtmp(String url, int seconds) {
    try {
      Process ff =
          new ProcessBuilder(
                  "ffmpeg",
                  "-hide_banner",
                  "-nostdin",
                  "-loglevel",
                  "error",
                  "-re",
                  "-f",
                  "lavfi",
                  "-i",
                  "testsrc2=size=320x180:rate=30",
                  "-f",
                  "lavfi",
                  "-i",
                  "sine=frequency=440:sample_rate=48000",
                  "-t",
                  Integer.toString(seconds),
                  "-c:v",
                  "libx264",
                  "-preset",
                  "ultrafast",
                  "-pix_fmt",
                  "yuv420p",
                  "-g",
                  "60",
                  "-c:a",
                  "aac",
                  "-f",
                  "flv",
                  url)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!ff.waitFor(60, TimeUnit.SECONDS)) {
        ff.destroyForcibly();
        return -1;
      }
      return ff.exitValue();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Repeats {@code attempt} until it does not return {@code success}, up to 5 s; the ms taken. */
  private static long awaitExit(java.util.function.IntSupplier attempt, int success)
      throws InterruptedException {
    long began = System.nanoTime();
    long deadline = began + 5_000_000_000L;
    int last;
    while ((last = attempt.getAsInt()) == success && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(last).as("refused").isNotEqualTo(success);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
  }

  private static Process origin(Path log, String stream, String key, String... more)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.waterfall.launcher.Main",
                "publish",
                "--coordinator",
                rig.base,
                "--stream",
                stream,
                "--key",
                key,
                "--signing-key",
                Files.createTempDirectory("sig").resolve("k.pem").toString()));
    command.addAll(List.of(more));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static void awaitConnected(String stream, Process p, Path log) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline
        && p.isAlive()
        && !Http.json(rig.base + "/api/streams/" + stream + "/tree")
            .get("nodes")
            .get(0)
            .get("connected")
            .booleanValue()) {
      Thread.sleep(200);
    }
    assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
  }

  @Test
  @DisplayName("disconnect=true: a waterfall publish process stops and exits 78, saying why")
  void aDisconnectedOriginExitsWithAMessage() throws Exception {
    String key = rig.createStream("rot-exit", 4);
    Path log = Files.createTempFile("origin-", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.waterfall.launcher.Main",
                "publish",
                "--coordinator",
                rig.base,
                "--stream",
                "rot-exit",
                "--key",
                key,
                "--sample",
                "--http-port",
                "0",
                "--signing-key",
                Files.createTempDirectory("sig").resolve("k.pem").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && !Http.json(rig.base + "/api/streams/rot-exit/tree")
              .get("nodes")
              .get(0)
              .get("connected")
              .booleanValue()) {
        Thread.sleep(200);
      }
      assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
      rotate("rot-exit", "?disconnect=true");
      long cut = System.nanoTime();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
      System.out.println(
          "the origin exited "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut)
              + " ms after the rotation's answer");
      String out = Files.readString(log);
      assertThat(p.exitValue()).as(out).isEqualTo(78);
      assertThat(out).contains("publishing of 'rot-exit' stopped").contains("key was rotated");
      assertThat(out).as("the key stays out of the output").doesNotContain(key);
    } finally {
      p.destroyForcibly();
    }
  }
}

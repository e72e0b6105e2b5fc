package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The README's main command, through the real launcher script and the packaged jars (inside the
 * test namespace).
 */
@DisplayName("./waterfall launcher")
class LauncherIT {
  private static final File ROOT = Path.of("../..").toAbsolutePath().normalize().toFile();

  private static ProcessBuilder waterfall(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = new File(ROOT, "waterfall").getPath();
    System.arraycopy(args, 0, cmd, 1, args.length);
    return new ProcessBuilder(cmd).directory(ROOT).redirectErrorStream(true);
  }

  @Test
  void demoRunsAWholeStreamAndPrintsWhereToWatch() throws Exception {
    int port = Http.freePort();
    int originPort = Http.freePort();
    int boosterPort = Http.freePort();
    Process demo =
        waterfall(
                "demo",
                "--port",
                Integer.toString(port),
                "--cluster-port",
                Integer.toString(Http.freePort()),
                "--origin-port",
                Integer.toString(originPort),
                "--booster-port",
                Integer.toString(boosterPort))
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null && !line.contains("admin token")) {
        seen.append(line).append('\n');
      }
      String boosterHls = "http://127.0.0.1:" + boosterPort + "/hls/demo/index.m3u8";
      assertThat(seen.toString())
          .contains("Waterfall demo is running")
          .contains(boosterHls)
          .contains("http://127.0.0.1:" + port + "/watch/demo")
          .contains("http://127.0.0.1:" + port + "/dashboard/demo")
          .contains("http://127.0.0.1:" + port + "/api/streams/demo/tree");
      // The booster gets the stream over WebRTC from the origin and serves it: a real playlist
      // appears.
      long deadline = System.currentTimeMillis() + 30_000;
      String playlist = "";
      while (!playlist.contains("seg-") && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
        playlist = Http.get(boosterHls).statusCode() == 200 ? Http.text(boosterHls) : "";
      }
      assertThat(playlist).startsWith("#EXTM3U").contains("seg-");
      assertThat(
              Http.json("http://127.0.0.1:" + port + "/api/streams/demo/tree")
                  .get("size")
                  .intValue())
          .isEqualTo(2);
      assertThat(Http.text("http://127.0.0.1:" + port + "/watch/demo")).contains("<video");
      assertThat(Http.text("http://127.0.0.1:" + port + "/dashboard/demo"))
          .contains("/web/dashboard.js");
    } finally {
      demo.destroy(); // SIGTERM: the shutdown hook stops everything in reverse order
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("demo stops on SIGTERM").isTrue();
    }
  }

  @Test
  void wrongCommandsAndOptionsGetASentenceNotAStackTrace() throws Exception {
    Process unknown = waterfall("fly").start();
    String out = new String(unknown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(unknown.waitFor()).isEqualTo(64);
    assertThat(out).contains("unknown command 'fly'").contains("demo");

    Process badOption = waterfall("coordinator", "--prot", "8080").start();
    out = new String(badOption.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(badOption.waitFor()).isEqualTo(2);
    assertThat(out).contains("Unknown option").doesNotContain("Exception");

    Process badValue = waterfall("coordinator", "--set", "liveness.missedHeartbeats=zero").start();
    out = new String(badValue.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(badValue.waitFor()).isEqualTo(78);
    assertThat(out).contains("liveness.missedHeartbeats").doesNotContain("Exception");

    Process noInput = waterfall("publish", "--stream", "x", "--key", "k").start();
    out = new String(noInput.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(noInput.waitFor()).isEqualTo(2);
    assertThat(out).contains("--sample").doesNotContain("Exception");
  }
}

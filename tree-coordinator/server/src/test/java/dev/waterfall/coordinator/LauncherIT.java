package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.support.CoordinatorProcess;
import dev.waterfall.coordinator.support.Rest;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's main command, run through the real launcher script against the packaged jar. */
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
  void demoStartsACoordinatorWithADemoStream() throws Exception {
    int port = CoordinatorProcess.freePort();
    ProcessBuilder pb = waterfall("demo", "--port", Integer.toString(port),
        "--cluster-port", Integer.toString(CoordinatorProcess.freePort()));
    Process demo = pb.start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null && !line.contains("admin token")) {
        seen.append(line).append('\n');
      }
      assertThat(seen.toString()).contains("Waterfall demo is running").contains("publish key:")
          .contains("http://127.0.0.1:" + port + "/api/streams/demo/tree");
      Rest.Reply tree = new Rest("http://127.0.0.1:" + port, "unused").get("/api/streams/demo/tree");
      assertThat(tree.status()).isEqualTo(200);
      assertThat(tree.json().get("nodes").get(0).get("role").textValue()).isEqualTo("origin");
    } finally {
      demo.destroy(); // SIGTERM: the shutdown hook stops the coordinator
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
  }
}

package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The booster host's one-step install (relay-node/release): the .deb that `./mvnw package` builds
 * installs on this machine with dpkg, carries its own Java runtime, and the command its systemd
 * unit runs, as the unit's user and with a booster.args of the test's, relays a real stream from a
 * real coordinator and origin. Purged at the end.
 */
@DisplayName(
    "the booster .deb: installs, runs the unit's command as its user, relays the stream, purges")
class InstalledBoosterIT {
  private static final Path RELEASE = Path.of("../release/target").toAbsolutePath().normalize();
  private static final Path UNIT = Path.of("/lib/systemd/system/waterfall-booster.service");
  private static StreamRig rig;
  private static boolean installed;

  @BeforeAll
  static void install() throws Exception {
    assumeFalse(Boolean.getBoolean("skip.release"), "built with -Dskip.release: no .deb");
    File[] debs = RELEASE.toFile().listFiles((d, n) -> n.matches("waterfall_.*\\.deb"));
    assertThat(debs)
        .as("the .deb in " + RELEASE + ": ./mvnw package builds it (relay-node/release)")
        .hasSize(1);
    Result r = run(List.of("dpkg", "-i", debs[0].getPath()), 120);
    assertThat(r.code).as(r.out).isZero();
    installed = true;
    rig = new StreamRig();
  }

  @AfterAll
  static void purge() throws Exception {
    if (rig != null) {
      rig.close();
    }
    if (installed) {
      Result r = run(List.of("dpkg", "--purge", "waterfall"), 120);
      assertThat(r.code).as(r.out).isZero();
      assertThat(Path.of("/opt/waterfall")).doesNotExist();
      assertThat(UNIT).doesNotExist();
    }
  }

  @Test
  @DisplayName(
      "waterfall --help and boost --help work from the installed copy, with its own runtime")
  void commands() throws Exception {
    Result help = run(List.of("/usr/bin/waterfall", "boost", "--help"), 60);
    assertThat(help.code).as(help.out).isZero();
    assertThat(help.out).contains("Usage: waterfall boost", "--coordinator", "--token");
    assertThat(Path.of("/opt/waterfall/runtime/bin/java")).isExecutable();
    Result version = run(List.of("/opt/waterfall/runtime/bin/java", "--list-modules"), 60);
    assertThat(version.out)
        .as("a jlink'ed runtime, not a whole JDK")
        .contains("java.base")
        .doesNotContain("jdk.compiler");
  }

  @Test
  @DisplayName(
      "the unit's ExecStart, as its user, relays a real stream and leaves the tree on SIGTERM")
  void theServiceCommandRelaysTheStream() throws Exception {
    String unit = Files.readString(UNIT);
    Matcher exec =
        Pattern.compile("(?m)^ExecStart=(\\S+) boost @/etc/waterfall/booster.args$").matcher(unit);
    Matcher user = Pattern.compile("(?m)^User=(\\S+)$").matcher(unit);
    assertThat(exec.find()).as(unit).isTrue();
    assertThat(user.find()).as(unit).isTrue();
    assertThat(Files.readString(Path.of("/etc/waterfall/booster.args")))
        .contains("--coordinator=", "--token=");
    assertThat(Files.getPosixFilePermissions(Path.of("/etc/waterfall/booster.args")).toString())
        .as("the token's file: not world-readable")
        .doesNotContain("OTHERS_READ");

    String stream = "installed";
    String key = rig.createStream(stream, 4);
    rig.origin(stream, key);
    int httpPort = Http.freePort();
    // The service's config as an operator would write it, in a file the service user can read.
    Path args = Files.createTempFile("booster", ".args");
    Files.writeString(
        args,
        String.join(
                "\n",
                "# written by InstalledBoosterIT",
                "--coordinator=" + rig.base,
                "--stream=" + stream,
                "--token=" + rig.boosterToken(),
                "--http-port=" + httpPort)
            + "\n");
    run(List.of("chown", user.group(1), args.toString()), 10);
    Process booster =
        new ProcessBuilder("runuser", "-u", user.group(1), "--", exec.group(1), "boost", "@" + args)
            .directory(new File("/"))
            .redirectErrorStream(true)
            .redirectOutput(RELEASE.resolve("installed-booster.log").toFile())
            .start();
    try {
      String playlist = "http://127.0.0.1:" + httpPort + "/hls/" + stream + "/index.m3u8";
      String text = "";
      long deadline = System.currentTimeMillis() + 40_000;
      while (!text.contains("seg-") && System.currentTimeMillis() < deadline && booster.isAlive()) {
        Thread.sleep(500);
        text = playlist(playlist);
      }
      String log = Files.readString(RELEASE.resolve("installed-booster.log"));
      assertThat(text).as("the installed booster's playlist; its log:\n" + log).contains("seg-");
      assertThat(boosters(stream)).as("boosters in the tree").hasSize(1);
    } finally {
      booster.destroy(); // SIGTERM, as systemctl stop sends: runuser passes it on
      assertThat(booster.waitFor(20, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
      Files.deleteIfExists(args);
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (!boosters(stream).isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(boosters(stream)).as("it left the tree").isEmpty();
  }

  /** The playlist's text; "" while the booster is not listening yet or has none. */
  private static String playlist(String url) {
    try {
      var reply = Http.get(url);
      return reply.statusCode() == 200 ? new String(reply.body(), StandardCharsets.UTF_8) : "";
    } catch (AssertionError notYet) {
      return "";
    }
  }

  @Test
  @DisplayName(
      "--recycle-after-links: the installed booster hands over and exits 0 for systemd to restart it")
  void recycles() throws Exception {
    String unit = Files.readString(UNIT);
    assertThat(unit).as("a recycled booster comes back").contains("Restart=always");
    assertThat(Files.readString(Path.of("/etc/waterfall/booster.args")))
        .contains("--recycle-after-links=");
    String stream = "recycled";
    rig.origin(stream, rig.createStream(stream, 4));
    Path out = RELEASE.resolve("recycled-booster.log");
    // Its parent link's first lane is its first connection: with a bound of 1 it recycles as soon
    // as it is fed (by then the link's second lane may be made too: each lane is a peer
    // connection).
    Process booster =
        new ProcessBuilder(
                "/usr/bin/waterfall",
                "boost",
                "--coordinator=" + rig.base,
                "--stream=" + stream,
                "--token=" + rig.boosterToken(),
                "--recycle-after-links=1")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    boolean exited = booster.waitFor(60, TimeUnit.SECONDS);
    String log = Files.readString(out);
    if (!exited) {
      booster.destroyForcibly();
    }
    assertThat(exited).as("exits by itself; log:\n" + log).isTrue();
    assertThat(booster.exitValue()).as(log).isZero();
    assertThat(log).containsPattern("recycling after [12] peer connections");
    assertThat(boosters(stream)).as("it left the tree").isEmpty();
  }

  private static List<String> boosters(String stream) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : Http.json(rig.base + "/api/streams/" + stream + "/tree").get("nodes")) {
      if ("booster".equals(n.get("role").textValue())) {
        out.add(n.get("id").textValue());
      }
    }
    return out;
  }

  private record Result(int code, String out) {}

  private static Result run(List<String> command, int seconds)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      p.destroyForcibly();
      return new Result(-1, "timed out after " + seconds + " s: " + command + "\n" + out);
    }
    return new Result(p.exitValue(), out);
  }
}

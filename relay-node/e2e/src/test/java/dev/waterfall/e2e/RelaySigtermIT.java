package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.segment;
import static dev.waterfall.e2e.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.Relay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A booster as a real process ({@code waterfall boost}) between the origin and a child, stopped
 * with SIGTERM: it leaves the tree before it exits, so the child is re-attached to the origin at
 * once (well inside the heartbeat silence limit) and keeps getting the stream.
 */
@DisplayName("SIGTERM to a relay process")
class RelaySigtermIT {
  private static final String STREAM = "term";
  @RegisterExtension static final StreamRig rig = StreamRig.perClass();

  @Test
  @DisplayName(
      "the relay leaves, its child is re-parented at once and keeps playing, the process exits")
  void sigtermLeavesThenExits() throws Exception {
    String key = rig.createStream(STREAM, 1);
    Relay origin = rig.origin(STREAM, key);
    Path log = Files.createTempFile("booster", ".log");
    Process booster =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.waterfall.launcher.Main",
                "boost",
                "--coordinator",
                rig.base,
                "--stream",
                STREAM,
                "--token",
                rig.boosterToken())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      String boosterId = awaitChildOf(origin.node().nodeId(), 60_000);
      Relay child = rig.booster(STREAM);
      assertThat(parentInTree(child.node().nodeId()))
          .as("the child sits under the booster process")
          .isEqualTo(boosterId);
      long deadline = System.currentTimeMillis() + 60_000;
      while (sequences(child, STREAM).size() < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
      }
      assertThat(sequences(child, STREAM))
          .as("the child plays through the booster")
          .hasSizeGreaterThanOrEqualTo(2);

      long sent = System.currentTimeMillis();
      booster.destroy(); // SIGTERM
      String parent = boosterId;
      while (!parent.equals(origin.node().nodeId()) && System.currentTimeMillis() - sent < 10_000) {
        Thread.sleep(50);
        parent = parentInTree(child.node().nodeId());
      }
      long reparentedMs = System.currentTimeMillis() - sent;
      assertThat(booster.waitFor(30, TimeUnit.SECONDS)).as("the booster exits").isTrue();
      long exitedMs = System.currentTimeMillis() - sent;
      System.out.printf(
          "relay sigterm: child re-parented after %d ms, process exited %d after %d ms%n",
          reparentedMs, booster.exitValue(), exitedMs);
      assertThat(parent).as("the child's parent after SIGTERM").isEqualTo(origin.node().nodeId());
      // Silence would take 3 heartbeats (6 s): a leave is acted on at once.
      assertThat(reparentedMs).isLessThan(4000);
      assertThat(Files.readString(log)).contains("Waterfall booster").doesNotContain("Exception");

      long newest =
          sequences(origin, STREAM).stream().mapToLong(Long::longValue).max().orElseThrow();
      deadline = System.currentTimeMillis() + 60_000;
      while (sequences(child, STREAM).stream().noneMatch(q -> q > newest + 1)
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
      }
      List<Long> after = sequences(child, STREAM).stream().filter(q -> q > newest).toList();
      assertThat(after).as("segments after the booster left").isNotEmpty();
      for (long seq : after) {
        assertThat(Arrays.equals(segment(child, STREAM, seq), segment(origin, STREAM, seq)))
            .isTrue();
      }
    } finally {
      booster.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  private static String awaitChildOf(String parent, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      for (JsonNode n : Http.json(rig.base + "/api/streams/" + STREAM + "/tree").get("nodes")) {
        if (parent.equals(n.get("parent").textValue())) {
          return n.get("id").textValue();
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no node joined under " + parent);
  }

  private static String parentInTree(String id) {
    for (JsonNode n : Http.json(rig.base + "/api/streams/" + STREAM + "/tree").get("nodes")) {
      if (id.equals(n.get("id").textValue())) {
        return n.get("parent").textValue();
      }
    }
    return "gone";
  }
}

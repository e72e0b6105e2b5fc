package dev.waterfall.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator in its own JVM ({@code dev.waterfall.launcher.Main coordinator} on the test
 * classpath), so a test can {@code kill -9} it and start it again on the same ports. It runs in the
 * test's network namespace like everything else; its output goes to target/coordinator-logs/.
 */
final class CoordinatorProcess implements AutoCloseable {
  final String name;
  final int httpPort;
  final int clusterPort;
  final String base;
  private final String clusterName;
  private final List<Integer> memberPorts;
  private Process process;
  private Path log;

  private CoordinatorProcess(
      String name, String clusterName, int clusterPort, List<Integer> memberPorts) {
    this.name = name;
    this.clusterName = clusterName;
    this.clusterPort = clusterPort;
    this.memberPorts = List.copyOf(memberPorts);
    this.httpPort = Http.freePort();
    this.base = "http://127.0.0.1:" + httpPort;
  }

  /** Starts (does not wait): {@code memberPorts} are the Hazelcast ports of the others to join. */
  static CoordinatorProcess start(
      String name, String clusterName, int clusterPort, List<Integer> memberPorts)
      throws Exception {
    CoordinatorProcess c = new CoordinatorProcess(name, clusterName, clusterPort, memberPorts);
    c.launch();
    return c;
  }

  private void launch() throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Small and quick to start: three of these share two cores with Chromium and the
                // relays.
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.waterfall.launcher.Main",
                "coordinator",
                "--port",
                Integer.toString(httpPort),
                "--admin-token",
                StreamRig.ADMIN,
                "--cluster-port",
                Integer.toString(clusterPort),
                "--set",
                "cluster.name=" + clusterName,
                // Every page and relay of a test comes from 127.0.0.1 (AbuseLimitsTest covers these
                // limits).
                "--set",
                "signalling.maxSocketsPerIp=0",
                "--set",
                "signalling.joinsPerIpPerSecond=0"));
    if (!memberPorts.isEmpty()) {
      cmd.addAll(
          List.of(
              "--cluster-members",
              String.join(",", memberPorts.stream().map(p -> "127.0.0.1:" + p).toList())));
    }
    Path dir = Path.of("target", "coordinator-logs");
    Files.createDirectories(dir);
    log =
        dir.resolve(
            name + "-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis() + ".log");
    process =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * kill -9, then the same command again (same ports, same cluster): a new member of the cluster.
   */
  void restart() throws Exception {
    kill9();
    launch();
  }

  /** Waits until /health answers with {@code clusterSize} members. */
  CoordinatorProcess awaitHealthy(int clusterSize, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited: " + Files.readString(log));
      }
      JsonNode h = health();
      if (h != null
          && h.path("clusterSize").intValue() == clusterSize
          && h.path("coordinators").size() == clusterSize) {
        return this;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        name
            + " not healthy with "
            + clusterSize
            + " members: "
            + health()
            + "\n"
            + Files.readString(log));
  }

  /** GET /health, or null while it does not answer. */
  JsonNode health() {
    try {
      return Http.json(base + "/health");
    } catch (AssertionError notYet) {
      return null;
    }
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill9();
      }
    }
  }
}

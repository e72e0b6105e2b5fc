package dev.waterfall.coordinator.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A coordinator in its own JVM, so a test can kill -9 it. Output goes to a log file under target/.
 */
public final class CoordinatorProcess implements AutoCloseable {
  public final Process process;
  public final String baseUrl;
  public final Rest rest;
  public final Path log;

  private CoordinatorProcess(Process process, int port, Path log) {
    this.process = process;
    this.baseUrl = "http://127.0.0.1:" + port;
    this.rest = new Rest(baseUrl, TestCoordinator.ADMIN_TOKEN);
    this.log = log;
  }

  public static CoordinatorProcess start(
      String name,
      String clusterName,
      int clusterPort,
      List<Integer> memberPorts,
      String... settings)
      throws IOException {
    int port = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.waterfall.coordinator.Main",
                "coordinator",
                "--port",
                Integer.toString(port),
                "--admin-token",
                TestCoordinator.ADMIN_TOKEN,
                "--cluster-port",
                Integer.toString(clusterPort),
                "--set",
                "cluster.name=" + clusterName));
    List<String> members = memberPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    if (!members.isEmpty()) {
      cmd.addAll(List.of("--cluster-members", String.join(",", members)));
    }
    for (String s : settings) {
      cmd.addAll(List.of("--set", s));
    }
    Path dir = Path.of("target", "coordinator-logs");
    Files.createDirectories(dir);
    Path log = dir.resolve(name + "-" + ProcessHandle.current().pid() + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new CoordinatorProcess(p, port, log);
  }

  /** Waits until /health answers and reports the expected cluster size, with every member's URL. */
  public CoordinatorProcess awaitHealthy(int clusterSize, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("coordinator exited: " + Files.readString(log));
      }
      try {
        Rest.Reply r = rest.get("/health");
        // Every member registered its public URL too (it does so once its port is bound).
        if (r.status() == 200
            && r.json().get("clusterSize").intValue() == clusterSize
            && r.json().path("coordinators").size() == clusterSize) {
          return this;
        }
      } catch (AssertionError notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "coordinator not healthy with " + clusterSize + " members: " + Files.readString(log));
  }

  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String classpath() {
    return System.getProperty("java.class.path")
        .replace(File.pathSeparatorChar, File.pathSeparatorChar);
  }
}

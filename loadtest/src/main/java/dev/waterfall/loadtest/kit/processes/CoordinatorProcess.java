package dev.waterfall.loadtest.kit.processes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.loadtest.report.ReportDir;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator in its own JVM. It must be another process: one process may hold ~20,000 files
 * here, and the clients need one socket each just as the coordinator does. Also keeps its heap and
 * CPU apart from ours.
 */
public final class CoordinatorProcess implements AutoCloseable {
  /** What Hazelcast needs to reach into the JDK (see the parent pom's hazelcast.jvm.args). */
  public static final List<String> HAZELCAST_JVM_ARGS =
      List.of(
          "--add-modules",
          "java.se",
          "--add-exports",
          "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.lang=ALL-UNNAMED",
          "--add-opens",
          "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens",
          "java.management/sun.management=ALL-UNNAMED",
          "--add-opens",
          "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "-Dhazelcast.phone.home.enabled=false");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String base;
  private final String adminToken;
  private final Path log;
  private final String launchedFrom;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Thread killer;

  private CoordinatorProcess(
      Process process, String base, String adminToken, Path log, String launchedFrom) {
    this.process = process;
    this.base = base;
    this.adminToken = adminToken;
    this.log = log;
    this.launchedFrom = launchedFrom;
    // If we are killed (Ctrl-C), the child must not outlive us holding thousands of sockets.
    this.killer = new Thread(process::destroyForcibly, "loadtest-coordinator-killer");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * Starts {@code java [-Xmx] [hazelcast flags] (-jar coordinator.jar | -cp loadtest.jar Main)
   * coordinator ...} on 127.0.0.1 with a free port and waits until {@code /health} answers.
   */
  public static CoordinatorProcess start(
      Path coordinatorJar,
      String heap,
      List<String> jvmArgs,
      int clusterPort,
      Path logFile,
      List<String> extraArgs)
      throws Exception {
    int port = freePort();
    String token = "loadtest-" + Long.toHexString(System.nanoTime());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.addAll(HAZELCAST_JVM_ARGS);
    cmd.addAll(jvmArgs);
    String from;
    Path jar = coordinatorJar != null ? coordinatorJar : defaultCoordinatorJar();
    if (jar != null) {
      cmd.add("-jar");
      cmd.add(jar.toString());
      from = jar.toString();
    } else {
      Path self = ReportDir.codeSource();
      if (self == null) {
        throw new IllegalStateException(
            "cannot find the coordinator jar nor this program's classpath");
      }
      // The shaded loadtest jar holds the launcher (and so the coordinator) too.
      cmd.add("-cp");
      cmd.add(self.toString());
      cmd.add("dev.waterfall.launcher.Main");
      from = self + " (classpath)";
    }
    cmd.addAll(
        List.of(
            "coordinator",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--admin-token",
            token,
            "--cluster-port",
            Integer.toString(clusterPort),
            "--set",
            "cluster.name=" + clusterName(),
            // Every simulated node connects from 127.0.0.1: lift the per-address abuse limits and
            // the tree cap.
            "--set",
            "signalling.maxSocketsPerIp=0",
            "--set",
            "signalling.joinsPerIpPerSecond=0",
            "--set",
            "tree.maxNodesPerStream=10000000"));
    cmd.addAll(extraArgs);
    Files.createDirectories(logFile.getParent());
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
            .start();
    CoordinatorProcess c =
        new CoordinatorProcess(p, "http://127.0.0.1:" + port, token, logFile, from);
    c.awaitHealthy(Duration.ofSeconds(90));
    return c;
  }

  /** "127.0.0.1:P,127.0.0.1:P+1,…" for {@code n} members. */
  public static String clusterMembers(int firstPort, int n) {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add("127.0.0.1:" + (firstPort + i));
    }
    return String.join(",", members);
  }

  /**
   * The arguments after {@link #start}'s own for a member of {@code n} on ports from {@code
   * firstPort}: each {@code --set} of {@code settings}, and every member's address (each told of
   * all, so any may start first).
   */
  public static List<String> clusterArgs(List<String> settings, int firstPort, int n) {
    List<String> args = new ArrayList<>();
    for (String s : settings) {
      args.add("--set");
      args.add(s);
    }
    if (n > 1) {
      args.add("--cluster-members");
      args.add(clusterMembers(firstPort, n));
    }
    return args;
  }

  /** The Hazelcast cluster name of every coordinator this process starts: they form one cluster. */
  public static String clusterName() {
    return "loadtest-signalling-" + ProcessHandle.current().pid();
  }

  /**
   * The launcher jar (relay-node/launcher/target/waterfall.jar), next to this jar's module or under
   * the cwd.
   */
  static Path defaultCoordinatorJar() {
    List<Path> candidates = new ArrayList<>();
    Path self = ReportDir.codeSource();
    if (self != null
        && self.getParent() != null
        && self.getParent().getParent() != null
        && self.getParent().getParent().getParent() != null) {
      // <repo>/loadtest/target/waterfall-loadtest.jar → <repo>
      candidates.add(
          self.toAbsolutePath()
              .getParent()
              .getParent()
              .getParent()
              .resolve("relay-node/launcher/target/waterfall.jar"));
    }
    candidates.add(Path.of("relay-node/launcher/target/waterfall.jar").toAbsolutePath());
    return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private void awaitHealthy(Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "coordinator exited with " + process.exitValue() + "; see " + log);
      }
      try {
        if (get("/health").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "coordinator did not become healthy within " + timeout + "; see " + log);
  }

  public String baseUrl() {
    return base;
  }

  public long pid() {
    return process.pid();
  }

  public String launchedFrom() {
    return launchedFrom;
  }

  public Path log() {
    return log;
  }

  /** POST /api/streams; returns the publish key. */
  public String createStream(String name) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/streams"))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("name", name))))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException(
          "creating stream " + name + ": HTTP " + r.statusCode() + " " + r.body());
    }
    JsonNode body = JSON.readTree(r.body());
    return body.get("publishKey").asText();
  }

  public String metrics() throws Exception {
    HttpResponse<String> r = get("/metrics");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("/metrics: HTTP " + r.statusCode());
    }
    return r.body();
  }

  public JsonNode health() throws Exception {
    return JSON.readTree(get("/health").body());
  }

  /** Heap in use as the coordinator reports it: the sum over its heap pools. */
  public long heapUsedBytes() throws Exception {
    OptionalDouble heap =
        Prometheus.sum(metrics(), "jvm_memory_used_bytes", Map.of("area", "heap"));
    return heap.isPresent() ? (long) heap.getAsDouble() : -1;
  }

  /**
   * Full collection via {@code jcmd <pid> GC.run} (twice: the first may leave objects only a second
   * pass frees, e.g. after reference processing), then the heap in use: live data, not garbage.
   */
  public long heapAfterGc() throws Exception {
    for (int i = 0; i < 2; i++) {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid()),
                  "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        jcmd.destroyForcibly();
        throw new IllegalStateException("jcmd GC.run failed for pid " + pid());
      }
    }
    Thread.sleep(300);
    return heapUsedBytes();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** POST /api/booster-tokens: a token a booster joins with. */
  public String boosterToken() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/booster-tokens"))
                .header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("booster token: HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("token").asText();
  }

  /** SIGKILL, a crash: no shutdown hook runs, nobody is told; waits until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway, harmlessly
    }
  }
}

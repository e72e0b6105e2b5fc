package dev.waterfall.testkit.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

/**
 * A coordinator in a JVM of its own, so a test can kill -9 it and start it again on the same ports,
 * and a load run keeps its sockets, heap and CPU apart from the clients'. Its output goes to a log
 * file (by default one per launch under target/coordinator-logs/).
 */
public final class CoordinatorProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final String name;
  public final int httpPort;
  public final int clusterPort;
  private final List<String> command;
  private final Path fixedLog;
  private final String adminToken;
  private final String launchedFrom;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Thread killer;
  private volatile Process process;
  private Path log;

  private CoordinatorProcess(Builder b, List<String> command, String launchedFrom) {
    this.name = b.name;
    this.httpPort = b.httpPort;
    this.clusterPort = b.clusterPort;
    this.command = List.copyOf(command);
    this.fixedLog = b.log;
    this.adminToken = b.adminToken;
    this.launchedFrom = launchedFrom;
    // If the JVM that started it is killed (Ctrl-C), it must not outlive it holding its sockets.
    this.killer =
        new Thread(
            () -> {
              Process p = process;
              if (p != null) {
                p.destroyForcibly();
              }
            },
            "coordinator-" + name + "-killer");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /** What to start; {@link Builder#start} starts it without waiting. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /** "127.0.0.1:P,127.0.0.1:P+1,…" for {@code n} members on ports from {@code firstPort}. */
  public static String clusterMembers(int firstPort, int n) {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add("127.0.0.1:" + (firstPort + i));
    }
    return String.join(",", members);
  }

  /** The options of {@code coordinator} and the JVM it runs in; the defaults suit one test. */
  public static final class Builder {
    private final String name;
    private String mainClass = "dev.waterfall.launcher.Main";
    private String classpath = System.getProperty("java.class.path");
    private Path jar;
    private final List<String> jvmArgs = new ArrayList<>();
    private String heap = "256m";
    private String host;
    private int httpPort;
    private String adminToken = "test-kit-admin-token-0123456789";
    private String clusterName = "test-kit-" + ProcessHandle.current().pid();
    private int clusterPort;
    private String members = "";
    private final List<String> settings = new ArrayList<>();
    private Path log;

    private Builder(String name) {
      this.name = name;
    }

    /** The class whose main takes {@code coordinator ...} (the launcher's, by default). */
    public Builder mainClass(String mainClass) {
      this.mainClass = mainClass;
      return this;
    }

    /** Where the main class is (this JVM's classpath, by default). */
    public Builder classpath(String classpath) {
      this.classpath = classpath;
      return this;
    }

    /** {@code java -jar jar coordinator ...} instead of the main class. */
    public Builder jar(Path jar) {
      this.jar = jar;
      return this;
    }

    public Builder heap(String heap) {
      this.heap = heap;
      return this;
    }

    /** JVM flags after the heap and Hazelcast's. */
    public Builder jvmArgs(List<String> args) {
      jvmArgs.addAll(args);
      return this;
    }

    /** {@code --host}: the address the HTTP server binds (the coordinator's default if unset). */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** The HTTP port (a free one if unset). */
    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    public Builder adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /**
     * One Hazelcast cluster: its name, this member's port (a free one if 0) and the others' ports
     * (each told of all, so any may start first).
     */
    public Builder cluster(String clusterName, int clusterPort, List<Integer> memberPorts) {
      this.clusterName = clusterName;
      this.clusterPort = clusterPort;
      this.members = String.join(",", memberPorts.stream().map(p -> "127.0.0.1:" + p).toList());
      return this;
    }

    /** The same, with {@code --cluster-members} as the coordinator takes it ("" for none). */
    public Builder cluster(String clusterName, int clusterPort, String members) {
      this.clusterName = clusterName;
      this.clusterPort = clusterPort;
      this.members = members;
      return this;
    }

    /**
     * Every page, relay or simulated client of a test or a load run comes from 127.0.0.1: lift the
     * per-address abuse limits (AbuseLimitsTest covers them).
     */
    public Builder oneAddressForAll() {
      return set("signalling.maxSocketsPerIp=0", "signalling.joinsPerIpPerSecond=0");
    }

    /** {@code --set key=value} each, after the ones before (a later one wins). */
    public Builder set(String... keyValues) {
      settings.addAll(List.of(keyValues));
      return this;
    }

    public Builder set(List<String> keyValues) {
      settings.addAll(keyValues);
      return this;
    }

    /** One log file for every launch, instead of a new one per launch under target/. */
    public Builder log(Path file) {
      this.log = file;
      return this;
    }

    /** Starts it; does not wait (see {@link #awaitHealthy}). */
    public CoordinatorProcess start() throws IOException {
      if (httpPort == 0) {
        httpPort = Ports.free();
      }
      if (clusterPort == 0) {
        clusterPort = Ports.free();
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx" + heap);
      cmd.addAll(JvmFlags.HAZELCAST);
      cmd.addAll(jvmArgs);
      String from;
      if (jar != null) {
        cmd.addAll(List.of("-jar", jar.toString()));
        from = jar.toString();
      } else {
        cmd.addAll(List.of("-cp", classpath, mainClass));
        from = classpath + " (classpath)";
      }
      cmd.add("coordinator");
      if (host != null) {
        cmd.addAll(List.of("--host", host));
      }
      cmd.addAll(
          List.of(
              "--port",
              Integer.toString(httpPort),
              "--admin-token",
              adminToken,
              "--cluster-port",
              Integer.toString(clusterPort),
              "--set",
              "cluster.name=" + clusterName));
      for (String s : settings) {
        cmd.addAll(List.of("--set", s));
      }
      if (!members.isEmpty()) {
        cmd.addAll(List.of("--cluster-members", members));
      }
      CoordinatorProcess c = new CoordinatorProcess(this, cmd, from);
      c.launch();
      return c;
    }
  }

  private void launch() throws IOException {
    if (fixedLog != null) {
      log = fixedLog;
    } else {
      log =
          Path.of("target", "coordinator-logs")
              .resolve(
                  name
                      + "-"
                      + ProcessHandle.current().pid()
                      + "-"
                      + System.currentTimeMillis()
                      + ".log");
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
  }

  /**
   * kill -9, then the same command again (same ports, same cluster): a new member of the cluster.
   */
  public void restart() throws Exception {
    kill9();
    launch();
  }

  /** As {@link #awaitHealthy(int, Duration)}, the timeout in milliseconds. */
  public CoordinatorProcess awaitHealthy(int clusterSize, long timeoutMs) throws Exception {
    return awaitHealthy(clusterSize, Duration.ofMillis(timeoutMs));
  }

  /** Waits until /health answers 200. */
  public CoordinatorProcess awaitHealthy(Duration timeout) throws Exception {
    return awaitHealthy(0, timeout);
  }

  /**
   * Waits until /health answers with {@code clusterSize} members (any, if 0), each of them with its
   * URL registered (a member does so once its port is bound).
   */
  public CoordinatorProcess awaitHealthy(int clusterSize, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      JsonNode h = health();
      if (h != null
          && (clusterSize == 0
              || (h.path("clusterSize").intValue() == clusterSize
                  && h.path("coordinators").size() == clusterSize))) {
        return this;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        name
            + " not healthy"
            + (clusterSize == 0 ? "" : " with " + clusterSize + " members")
            + " within "
            + timeout
            + ": "
            + health()
            + "; see "
            + log
            + "\n"
            + Files.readString(log));
  }

  /** GET /health, or null while it does not answer 200. */
  public JsonNode health() {
    try {
      HttpResponse<String> r = get("/health");
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public String adminToken() {
    return adminToken;
  }

  /** The current launch's process (a test may signal it itself). */
  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  /** The jar or classpath it runs from, for a report. */
  public String launchedFrom() {
    return launchedFrom;
  }

  public Path log() {
    return log;
  }

  /** POST /api/streams; returns the publish key. */
  public String createStream(String streamName) throws Exception {
    HttpResponse<String> r =
        admin(
            "/api/streams",
            HttpRequest.BodyPublishers.ofString(
                JSON.writeValueAsString(Map.of("name", streamName))));
    if (r.statusCode() != 201) {
      throw new IllegalStateException(
          "creating stream " + streamName + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("publishKey").asText();
  }

  /** POST /api/booster-tokens: a token a booster joins with. */
  public String boosterToken() throws Exception {
    HttpResponse<String> r = admin("/api/booster-tokens", HttpRequest.BodyPublishers.noBody());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("booster token: HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("token").asText();
  }

  /** GET /metrics: the Prometheus text. */
  public String metrics() throws Exception {
    HttpResponse<String> r = get("/metrics");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("/metrics: HTTP " + r.statusCode());
    }
    return r.body();
  }

  /**
   * Full collection via {@code jcmd <pid> GC.run}, twice (the first may leave objects only a second
   * pass frees, e.g. after reference processing); the caller then reads the heap in use.
   */
  public void collectGarbage() throws Exception {
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
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String path, HttpRequest.BodyPublisher body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .header("Authorization", "Bearer " + adminToken)
            .header("Content-Type", "application/json")
            .POST(body)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL, a crash: no shutdown hook runs, nobody is told; waits until the process is gone. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill9();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway, harmlessly
    }
  }
}

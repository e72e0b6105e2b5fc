package dev.waterfall.loadtest.kit.processes;

import dev.waterfall.testkit.process.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A measured booster: {@code waterfall boost} in a JVM of its own (what a user runs), so its CPU is
 * its process's utime + stime (libwebrtc's native threads, GC and JIT included); with an HTTP port,
 * its /metrics tell what it moved.
 */
public final class BoosterProcess implements AutoCloseable {
  private static final Pattern STARTED = Pattern.compile("Waterfall booster (\\S+) relaying");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Its node id once it relays. */
  public final String id;

  public final Path log;

  /** The command it runs, the token's value last. */
  public final List<String> command;

  private final int httpPort;
  private final Process process;
  private final Thread killer;

  private BoosterProcess(
      String id, Path log, List<String> command, int httpPort, Process process, Thread killer) {
    this.id = id;
    this.log = log;
    this.command = command;
    this.httpPort = httpPort;
    this.process = process;
    this.killer = killer;
  }

  /**
   * Starts it from this program's classpath and waits (60 s at most) until it relays {@code
   * stream}; {@code name} names its log and the shutdown hook that kills it if this JVM goes first.
   * {@code http}: serve HTTP on a free port (for /metrics).
   */
  public static BoosterProcess start(
      String name, List<String> jvmArgs, String base, String stream, String token, boolean http)
      throws Exception {
    Path log = Files.createTempFile("waterfall-" + name + "-booster-", ".log");
    int port = http ? Ports.free() : -1;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.waterfall.launcher.Main",
            "boost",
            "--coordinator",
            base,
            "--stream",
            stream));
    if (http) {
      cmd.addAll(List.of("--http-port", Integer.toString(port)));
    }
    cmd.addAll(List.of("--token", token));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("WATERFALL_LOG_LEVEL", "INFO");
    Process p = pb.start();
    Thread killer = new Thread(p::destroyForcibly, name + "-booster-killer");
    Runtime.getRuntime().addShutdownHook(killer);
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until && p.isAlive()) {
      Matcher m = STARTED.matcher(Files.readString(log));
      if (m.find()) {
        return new BoosterProcess(m.group(1), log, List.copyOf(cmd), port, p, killer);
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    Runtime.getRuntime().removeShutdownHook(killer);
    throw new IllegalStateException("the booster did not start in 60 s; its log: " + log);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** CPU seconds the process has used so far. */
  public double cpuSeconds() {
    return ProcStat.cpuSeconds(process.pid());
  }

  /** A counter or gauge from the booster's /metrics (NaN if absent). */
  public double metric(String name) throws Exception {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    process.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // shutting down already
    }
  }
}

package dev.waterfall.loadtest.realtime;

import dev.waterfall.loadtest.kit.processes.ProcStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The measured booster: {@code waterfall boost} in a JVM of its own (what a user runs), so its CPU is its
 * process's utime + stime (libwebrtc's native decoder and encoders, GC and JIT included), and its /metrics on a
 * port of its own tells what its media tracks moved.
 */
final class BoosterProcess implements AutoCloseable {
  private static final Pattern STARTED = Pattern.compile("Waterfall booster (\\S+) relaying");
  final String id;
  final Path log;
  final int httpPort;
  private final Process process;
  private final Thread killer;

  private BoosterProcess(String id, Path log, int httpPort, Process process, Thread killer) {
    this.id = id;
    this.log = log;
    this.httpPort = httpPort;
    this.process = process;
    this.killer = killer;
  }

  static BoosterProcess start(String base, String stream, String token) throws Exception {
    Path log = Files.createTempFile("waterfall-realtime-booster-", ".log");
    int port = RtRig.freePort();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.waterfall.launcher.Main", "boost", "--coordinator", base,
        "--stream", stream, "--http-port", Integer.toString(port), "--token", token));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("WATERFALL_LOG_LEVEL", "INFO");
    Process p = pb.start();
    Thread killer = new Thread(p::destroyForcibly, "realtime-booster-killer");
    Runtime.getRuntime().addShutdownHook(killer);
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until && p.isAlive()) {
      Matcher m = STARTED.matcher(Files.readString(log));
      if (m.find()) {
        return new BoosterProcess(m.group(1), log, port, p, killer);
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new IllegalStateException("the booster did not start in 60 s; its log: " + log);
  }

  long pid() {
    return process.pid();
  }

  /** CPU seconds the process has used so far. */
  double cpuSeconds() {
    return ProcStat.cpuSeconds(process.pid());
  }

  /** A counter or gauge from the booster's /metrics (NaN if absent). */
  double metric(String name) throws Exception {
    for (String line : RtRig.get("http://127.0.0.1:" + httpPort + "/metrics").split("\n")) {
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

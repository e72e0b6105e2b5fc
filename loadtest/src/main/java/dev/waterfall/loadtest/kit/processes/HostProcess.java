package dev.waterfall.loadtest.kit.processes;

import dev.waterfall.loadtest.report.ReportDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The scenario's side of one {@link RelayHost}: the child process and its {@link HostLog}. */
public final class HostProcess {
  public final long spawnedAtMillis;
  public final HostLog log = new HostLog();
  private final Process process;
  private volatile long killedAtMillis = -1;

  public HostProcess(int index, List<String> command, Path stderr) throws IOException {
    this.spawnedAtMillis = System.currentTimeMillis();
    this.process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
            .start();
    Thread reader = new Thread(this::read, "relay-host-" + index);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * The command line of a {@link RelayHost} JVM with these JVM flags, on this JVM's jar or class
   * path.
   */
  public static List<String> command(
      List<String> jvmArgs, String coordinators, String stream, String token) {
    return command(jvmArgs, coordinators, stream, token, 0);
  }

  /**
   * As above, recycling after {@code recycleAfterLinks} peer connections (0: never, the argument is
   * left out).
   */
  public static List<String> command(
      List<String> jvmArgs,
      String coordinators,
      String stream,
      String token,
      long recycleAfterLinks) {
    String classPath =
        ReportDir.codeSource() != null && ReportDir.codeSource().toString().endsWith(".jar")
            ? ReportDir.codeSource().toString()
            : System.getProperty("java.class.path");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", classPath, RelayHost.class.getName(), coordinators, stream, token));
    if (recycleAfterLinks > 0) {
      cmd.add(Long.toString(recycleAfterLinks));
    }
    return cmd;
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        log.accept(line);
      }
    } catch (IOException e) {
      // the process died (killed): what it reported stays
    }
  }

  /** SIGKILL: a crash, nothing is said to the coordinator or the peers. */
  public void kill() {
    killedAtMillis = System.currentTimeMillis();
    process.destroyForcibly();
  }

  public long killedAtMillis() {
    return killedAtMillis;
  }

  /** The JVM's process id (soak reads its RSS and asks it for NMT with jcmd). */
  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return killedAtMillis < 0 && process.isAlive();
  }

  /**
   * The exit status once the process has ended (0: a recycled booster ended itself), or -1 while it
   * runs.
   */
  public int exitStatus() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  public void destroy() {
    process.destroyForcibly();
  }
}

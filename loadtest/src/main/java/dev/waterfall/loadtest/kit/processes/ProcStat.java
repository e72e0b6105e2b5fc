package dev.waterfall.loadtest.kit.processes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time and resident memory of a process from {@code /proc}: exact over an interval, where the
 * JVM's own {@code process_cpu_usage} gauge is a recent-window estimate.
 */
public final class ProcStat {
  /** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream architecture. */
  static final double TICKS_PER_SECOND = 100.0;

  private ProcStat() {}

  /** utime + stime of {@code pid} in seconds, or -1 if unreadable. */
  public static double cpuSeconds(long pid) {
    try {
      return cpuSecondsFromStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Parses a {@code /proc/<pid>/stat} line; the command name may hold spaces, so count from its
   * ')'.
   */
  static double cpuSecondsFromStat(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // after "pid (comm) ", field 3 (state) is f[0]; utime is field 14 → f[11], stime field 15 →
    // f[12]
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }

  /**
   * CPU seconds per thread group of {@code pid}: thread names (truncated to 15 characters by the
   * kernel) with digits replaced by N, so "vert.x-eventloop-thread-0..3" add up. Shows who spends a
   * process's CPU: its event loop, or the JIT compiler still warming up.
   */
  public static Map<String, Double> cpuSecondsByThread(long pid) {
    Map<String, Double> out = new TreeMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name =
              stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
          out.merge(name, cpuSecondsFromStat(stat), Double::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended between listing and reading
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /**
   * after − before per group, as cores over {@code seconds}, largest first, groups under 0.01 cores
   * left out. Threads that start and end inside the window never show in either snapshot: what the
   * process spent ({@code processCpuSeconds}) beyond the groups is reported as {@value #ENDED}.
   */
  public static Map<String, Double> coresByThread(
      Map<String, Double> before,
      Map<String, Double> after,
      double seconds,
      double processCpuSeconds) {
    Map<String, Double> out = new LinkedHashMap<>();
    double attributed = 0;
    for (var e : after.entrySet()) {
      attributed += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0.0));
    }
    double ended = processCpuSeconds - attributed;
    after.entrySet().stream()
        .map(
            e ->
                Map.entry(
                    e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / seconds))
        .filter(e -> e.getValue() >= 0.01)
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
    if (ended / seconds >= 0.01) {
      out.put(ENDED, Math.round(ended / seconds * 100) / 100.0);
    }
    return out;
  }

  /**
   * CPU of threads that ended within the window (e.g. one started per async callback). Approximate.
   */
  public static final String ENDED = "(threads that ended, approx.)";

  /** Cores the JIT compiler threads used, from a {@link #coresByThread} map. */
  public static double jitCores(Map<String, Double> coresByThread) {
    return coresByThread.entrySet().stream()
        .filter(e -> e.getKey().contains("CompilerThre"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** VmRSS of {@code pid} in bytes, or -1. */
  public static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}

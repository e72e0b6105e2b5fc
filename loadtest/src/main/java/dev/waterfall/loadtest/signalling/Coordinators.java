package dev.waterfall.loadtest.signalling;

import dev.waterfall.loadtest.kit.processes.LoadCoordinator;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.loadtest.kit.processes.Prometheus;
import dev.waterfall.testkit.process.CoordinatorProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The 1–3 coordinator processes of one run, one Hazelcast cluster, and their figures summed or one
 * by one.
 */
final class Coordinators implements AutoCloseable {
  private final List<CoordinatorProcess> all = new ArrayList<>();

  /**
   * Starts coordinator {@code i} of {@code n}; each its own first port, each told of all, so any
   * may start first.
   */
  void start(
      int i,
      int n,
      Path coordinatorJar,
      String heap,
      List<String> jvmArgs,
      int clusterPort,
      Path log,
      List<String> settings)
      throws Exception {
    all.add(
        LoadCoordinator.start(
            coordinatorJar, heap, jvmArgs, clusterPort + i, log, settings, clusterPort, n));
  }

  CoordinatorProcess first() {
    return all.get(0);
  }

  List<CoordinatorProcess> all() {
    return all;
  }

  int size() {
    return all.size();
  }

  List<String> urls() {
    return all.stream().map(CoordinatorProcess::baseUrl).toList();
  }

  double[] cpuSecondsEach() {
    return all.stream().mapToDouble(c -> ProcStat.cpuSeconds(c.pid())).toArray();
  }

  double cpuSeconds() {
    return Arrays.stream(cpuSecondsEach()).sum();
  }

  /** Per thread group, summed over the coordinators (their threads have the same names). */
  Map<String, Double> cpuSecondsByThread() {
    Map<String, Double> out = new TreeMap<>();
    for (CoordinatorProcess c : all) {
      ProcStat.cpuSecondsByThread(c.pid()).forEach((k, v) -> out.merge(k, v, Double::sum));
    }
    return out;
  }

  List<String> metrics() throws Exception {
    List<String> out = new ArrayList<>();
    for (CoordinatorProcess c : all) {
      out.add(c.metrics());
    }
    return out;
  }

  /** Σ after − before of a metric over the coordinators' scrapes. */
  static double diff(List<String> before, List<String> after, String name) {
    double d = 0;
    for (int i = 0; i < before.size(); i++) {
      d +=
          Prometheus.sum(after.get(i), name, Map.of()).orElse(0)
              - Prometheus.sum(before.get(i), name, Map.of()).orElse(0);
    }
    return d;
  }

  /**
   * Σ of the coordinators' process_cpu_usage gauges (each a fraction of all cores), if any reported
   * it.
   */
  OptionalDouble processCpuUsage() throws Exception {
    double u = 0;
    boolean seen = false;
    for (CoordinatorProcess c : all) {
      OptionalDouble one = Prometheus.sum(c.metrics(), "process_cpu_usage", Map.of());
      if (one.isPresent()) {
        u += one.getAsDouble();
        seen = true;
      }
    }
    return seen ? OptionalDouble.of(u) : OptionalDouble.empty();
  }

  long[] heapsAfterGc() throws Exception {
    long[] out = new long[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = LoadCoordinator.heapAfterGc(all.get(i));
    }
    return out;
  }

  long rss() {
    return all.stream().mapToLong(c -> ProcStat.rssBytes(c.pid())).sum();
  }

  int sessions() throws Exception {
    int sessions = 0;
    for (CoordinatorProcess c : all) {
      sessions += c.health().path("sessions").asInt(0);
    }
    return sessions;
  }

  @Override
  public void close() throws InterruptedException {
    for (CoordinatorProcess c : all) {
      c.close();
    }
  }
}

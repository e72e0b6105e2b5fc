package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CPU of the coordinators and of the clients over one phase, from /proc: opened at the phase's
 * start, read at its end. Thread groups show who spent it (event loop, JIT compiler, Hazelcast's
 * partition threads).
 */
final class CpuWindow {
  private final Coordinators coordinators;
  private final Clients clients;
  private final long t0 = System.nanoTime();
  private final double[] each0;
  private final double client0;
  private final Map<String, Double> serverThreads0;
  private final Map<String, Double> clientThreads0;
  private double seconds;
  private double[] each;
  private double clientCpu;
  private Map<String, Double> serverThreads;
  private Map<String, Double> clientThreads;

  private CpuWindow(Coordinators coordinators, Clients clients) {
    this.coordinators = coordinators;
    this.clients = clients;
    this.each0 = coordinators.cpuSecondsEach();
    this.client0 = clients.cpuSeconds();
    this.serverThreads0 = coordinators.cpuSecondsByThread();
    this.clientThreads0 = clients.cpuSecondsByThread();
  }

  static CpuWindow open(Coordinators coordinators, Clients clients) {
    return new CpuWindow(coordinators, clients);
  }

  /** Reads the end of the window; the getters below describe it. */
  CpuWindow close() {
    seconds = (System.nanoTime() - t0) / 1e9;
    each = coordinators.cpuSecondsEach();
    clientCpu = clients.cpuSeconds() - client0;
    serverThreads =
        ProcStat.coresByThread(
            serverThreads0, coordinators.cpuSecondsByThread(), seconds, serverCpu());
    clientThreads =
        ProcStat.coresByThread(clientThreads0, clients.cpuSecondsByThread(), seconds, clientCpu);
    return this;
  }

  double seconds() {
    return seconds;
  }

  /** Coordinator CPU-seconds, summed over the coordinators. */
  double serverCpu() {
    double s = 0;
    for (int i = 0; i < each.length; i++) {
      s += each[i] - each0[i];
    }
    return s;
  }

  double clientCpu() {
    return clientCpu;
  }

  Map<String, Double> serverCoresByThread() {
    return serverThreads;
  }

  Map<String, Double> clientCoresByThread() {
    return clientThreads;
  }

  List<Double> serverCoresEach() {
    return serverCoresEach(seconds);
  }

  /** Each coordinator's CPU-seconds in the window ÷ {@code over} seconds. */
  List<Double> serverCoresEach(double over) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < each.length; i++) {
      out.add(round2((each[i] - each0[i]) / over));
    }
    return out;
  }

  /** coordinatorCpuCores (and …Each with several coordinators) and clientCpuCores. */
  void putCores(ObjectNode out) {
    if (seconds <= 0) {
      return;
    }
    out.put("coordinatorCpuCores", round2(serverCpu() / seconds));
    if (each.length > 1) {
      out.putPOJO("coordinatorCpuCoresEach", serverCoresEach());
    }
    out.put("clientCpuCores", round2(clientCpu / seconds));
  }

  static double eventLoopCores(Map<String, Double> coresByThread) {
    return coresByThread.entrySet().stream()
        .filter(e -> e.getKey().startsWith("vert.x-eventloo"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}

package dev.waterfall.loadtest.signalling;

import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

/**
 * Every node, the origin too, in this JVM: one {@link Fleet} (the scenario as it ran before client
 * processes).
 */
final class LocalClients implements Clients {
  private final List<String> urls;
  private final int concurrency;
  private final Fleet fleet;

  LocalClients(List<String> urls, int capacity, int concurrency) {
    this.urls = urls;
    this.concurrency = concurrency;
    this.fleet = Fleet.staying(urls, capacity);
  }

  @Override
  public JoinOutcome joinOrigin(
      String stream, String publishKey, Progress progress, Deadline deadline) throws Exception {
    return JoinOutcome.of(
        fleet.join("origin", stream, "origin", publishKey, 1, 1, progress, deadline));
  }

  @Override
  public JoinOutcome join(
      String label, String stream, int count, Progress progress, Deadline deadline)
      throws Exception {
    return JoinOutcome.of(
        fleet.join(label, stream, "viewer", null, count, concurrency, progress, deadline));
  }

  @Override
  public JoinOutcome joinAndClose(
      String label, String stream, int count, long intervalMs, Progress progress, Deadline deadline)
      throws Exception {
    return joinAndClose(urls, label, stream, count, concurrency, intervalMs, progress, deadline);
  }

  /** A fleet of its own for {@code count} viewers, heart-beating, closed once they joined. */
  static JoinOutcome joinAndClose(
      List<String> urls,
      String label,
      String stream,
      int count,
      int concurrency,
      long intervalMs,
      Progress progress,
      Deadline deadline)
      throws Exception {
    try (Fleet chunk = Fleet.staying(urls, count)) {
      chunk.startHeartbeats(intervalMs, 10);
      return JoinOutcome.of(
          chunk.join(label, stream, "viewer", null, count, concurrency, progress, deadline));
    }
  }

  @Override
  public void startHeartbeats(long intervalMs) {
    fleet.startHeartbeats(intervalMs, 10);
  }

  @Override
  public ChurnOutcome churn(ChurnPlan plan, Progress progress, Deadline deadline) throws Exception {
    return ChurnDriver.run(fleet, plan, progress, deadline);
  }

  @Override
  public FleetState state() {
    return FleetState.of(fleet);
  }

  @Override
  public double cpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return ProcStat.cpuSeconds(ProcessHandle.current().pid());
  }

  @Override
  public Map<String, Double> cpuSecondsByThread() {
    return ProcStat.cpuSecondsByThread(ProcessHandle.current().pid());
  }

  @Override
  public int eventLoops() {
    return fleet.eventLoops();
  }

  @Override
  public void close() throws Exception {
    fleet.close();
  }
}

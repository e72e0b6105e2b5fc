package dev.waterfall.loadtest.signalling;

import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.util.Map;

/**
 * The simulated nodes, wherever they run: all in this JVM ({@link LocalClients}) or spread over
 * client processes ({@link ClientProcesses}) when one process cannot hold their sockets. The phases
 * see only this.
 */
interface Clients extends AutoCloseable {
  /**
   * Joins {@code stream}'s origin; it stays connected and heart-beats with the nodes, and never
   * departs.
   */
  JoinOutcome joinOrigin(String stream, String publishKey, Progress progress, Deadline deadline)
      throws Exception;

  /** Joins {@code count} viewers that stay connected. */
  JoinOutcome join(String label, String stream, int count, Progress progress, Deadline deadline)
      throws Exception;

  /**
   * Joins {@code count} viewers in sockets of their own, heart-beating every {@code intervalMs},
   * then closes them again (warm-up chunks: file descriptors do not pile up).
   */
  JoinOutcome joinAndClose(
      String label, String stream, int count, long intervalMs, Progress progress, Deadline deadline)
      throws Exception;

  /** Every connected node heart-beats from now on, spread evenly over {@code intervalMs}. */
  void startHeartbeats(long intervalMs) throws Exception;

  /**
   * Departures and as many arrivals, evenly paced over {@code seconds}; returns once the repairs
   * settled.
   */
  ChurnOutcome churn(ChurnPlan plan, Progress progress, Deadline deadline) throws Exception;

  /** Connected, dropped, heart-beats sent, messages received: what the nodes saw. */
  FleetState state() throws Exception;

  /** CPU-seconds the client side has spent (this JVM, or the client processes). */
  double cpuSeconds();

  Map<String, Double> cpuSecondsByThread();

  /** Event loops per client process. */
  int eventLoops();
}

package dev.waterfall.loadtest.soak;

import dev.waterfall.loadtest.kit.processes.HostProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The booster host as systemd runs it: one {@link dev.waterfall.loadtest.kit.processes.RelayHost}
 * process at a time. With a recycle bound, a process that ends itself with status 0 (drained after
 * N peer connections) is replaced by a fresh one, as {@code Restart=always} would; the scenario
 * waits until the new one is fed and reads its memory from then on. Any other end is a death, not a
 * recycle.
 */
final class BoosterService {
  /**
   * One restart: the new process's number, when its predecessor began to drain and exited, when it
   * was fed.
   */
  record Recycle(
      int process,
      double drainAtSeconds,
      double exitAtSeconds,
      double fedAtSeconds,
      long edgesClosedAtExit) {}

  private final List<String> command;
  private final Path log;
  private final String originId;
  private long startNanos = System.nanoTime();
  final CurrentBooster current;
  private final List<Recycle> recycles = new ArrayList<>();
  private HostProcess process;
  private BoosterMemory memory;
  private int index;
  private double drainAtSeconds = Double.NaN;

  private BoosterService(List<String> command, Path log, String originId) throws Exception {
    this.command = command;
    this.log = log;
    this.originId = originId;
    this.process = new HostProcess(0, command, log);
    this.current = new CurrentBooster(null);
    try {
      awaitFed();
      this.memory = new BoosterMemory(process.pid());
    } catch (Exception e) {
      process.destroy(); // the scenario holds no service to destroy yet
      throw e;
    }
  }

  /** Starts the first process and waits until it is fed. */
  static BoosterService start(List<String> command, Path log, String originId) throws Exception {
    return new BoosterService(command, log, originId);
  }

  HostProcess process() {
    return process;
  }

  /** Which process is current: 0, then 1 after the first restart... */
  int index() {
    return index;
  }

  BoosterMemory memory() {
    return memory;
  }

  List<Recycle> recycles() {
    return List.copyOf(recycles);
  }

  /**
   * Marks the children's booster as between processes once the current one began to drain; true if
   * alive.
   */
  boolean watch() {
    if (process.log.recycling() && !current.recycling()) {
      current.recycling(true);
      drainAtSeconds = seconds();
    }
    return process.alive();
  }

  /**
   * Whether the current process ended itself as a recycled booster does (status 0, after draining).
   */
  boolean recycled() {
    return !process.alive() && process.exitStatus() == 0;
  }

  /**
   * Starts the next process and waits until it is fed; the children expect its id as soon as it
   * joined. {@code edgesClosed} is the children's count at the old one's exit.
   */
  void restart(long edgesClosed) throws Exception {
    current.recycling(true);
    double exitAt = seconds();
    index++;
    process = new HostProcess(index, command, log);
    awaitFed();
    memory = new BoosterMemory(process.pid());
    recycles.add(
        new Recycle(
            index,
            Double.isNaN(drainAtSeconds) ? exitAt : drainAtSeconds,
            exitAt,
            seconds(),
            edgesClosed));
    drainAtSeconds = Double.NaN;
    current.recycling(false);
  }

  /** Times in {@link Recycle} count from here (the churn's start), as the samples' do. */
  void timesFrom(long nanos) {
    startNanos = nanos;
  }

  void destroy() {
    process.destroy();
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Waits until the process joined under the origin and holds a complete segment. */
  private void awaitFed() throws InterruptedException {
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until && process.alive()) {
      String id = process.log.nodeId();
      if (id != null) {
        current.replacedBy(id); // a child placed under it from now on is its edge, fed or not yet
        if (originId.equals(process.log.parentAt(Long.MAX_VALUE))
            && process.log.firstSegmentAtMillis() > 0) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "booster process "
            + index
            + " did not join under the origin and get a "
            + "segment in 60 s; its stderr is in "
            + log);
  }

  /** The current process's memory; NaN readings if it exited meanwhile. */
  BoosterMemory.Reading read() throws InterruptedException {
    try {
      return memory.read();
    } catch (IOException e) { // /proc/<pid> went away: it exited between the check and the read
      return new BoosterMemory.Reading(Double.NaN, Double.NaN, JvmMemory.parse(""));
    }
  }
}

package dev.waterfall.loadtest.signalling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a run's sockets fit in the processes' open-file limits. Every node holds one socket in a
 * client process and one in a coordinator, so both sides must spread: one process here may open
 * ~20,000 files ({@code ulimit -n}), less what the JVM keeps open itself (jars, epoll, Hazelcast).
 */
record SocketBudget(int perProcess, long openFileLimit) {
  /**
   * Files a JVM keeps for itself besides the nodes' sockets (jars, epoll and event fds, Hazelcast,
   * logs).
   */
  static final int RESERVED = 500;

  /**
   * This machine's: the soft open-file limit that child processes inherit, less {@link #RESERVED}.
   */
  static SocketBudget here() {
    long limit = readOpenFileLimit();
    return new SocketBudget(
        (int) Math.min(Integer.MAX_VALUE, Math.max(0, limit - RESERVED)), limit);
  }

  /** The soft "Max open files" of this process, or 20,000 (this machine's) if unreadable. */
  static long readOpenFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or unreadable: fall through
    }
    return 20_000;
  }

  /**
   * Empty when {@code nodes} sockets open at once fit in {@code coordinators} coordinator processes
   * and {@code clientProcesses} client processes; else the sentence saying what would fit.
   */
  Optional<String> refusal(long nodes, int coordinators, int clientProcesses) {
    long needed = (nodes + perProcess - 1) / perProcess;
    boolean coordinatorsFit = ceilDiv(nodes, coordinators) <= perProcess;
    boolean clientsFit = ceilDiv(nodes, clientProcesses) <= perProcess;
    if (coordinatorsFit && clientsFit) {
      return Optional.empty();
    }
    String why =
        String.format(
            "%,d nodes connected at once (the origin, --viewers and --extra) need %,d sockets in"
                + " the coordinators and as many in the clients, and one process opens at most %,d sockets here (open-file"
                + " limit %,d less %d for the JVM's own files)",
            nodes, nodes, perProcess, openFileLimit, RESERVED);
    if (needed > 3) {
      return Optional.of(
          why
              + String.format(
                  "; even 3 coordinators (the most) hold only %,d nodes: lower --viewers"
                      + " or --extra",
                  3L * perProcess));
    }
    return Optional.of(
        why
            + String.format(
                ": pass --coordinators %d --client-processes %d or more (given %d and %d)",
                Math.max(needed, coordinators),
                Math.max(needed, clientProcesses),
                coordinators,
                clientProcesses));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}

package dev.waterfall.loadtest.kit.processes;

import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.testkit.process.CoordinatorProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How a load run starts a coordinator: the test kit's {@link CoordinatorProcess}, in another JVM
 * (one process may hold ~20,000 files here, and the clients need one socket each just as the
 * coordinator does; it also keeps its heap and CPU apart from ours), from the launcher jar or else
 * this program's own classes, with the per-address limits and the tree cap lifted.
 */
public final class LoadCoordinator {
  private LoadCoordinator() {}

  /**
   * Member {@code clusterPort} of a cluster of {@code n} on ports from {@code firstPort}: {@code
   * java [-Xmx] [hazelcast flags] [jvmArgs] (-jar coordinator.jar | -cp loadtest.jar Main)
   * coordinator ...} on 127.0.0.1, each {@code --set} of {@code settings}, every member's address
   * (each told of all, so any may start first); waits until {@code /health} answers.
   */
  public static CoordinatorProcess start(
      Path coordinatorJar,
      String heap,
      List<String> jvmArgs,
      int clusterPort,
      Path logFile,
      List<String> settings,
      int firstPort,
      int n)
      throws Exception {
    CoordinatorProcess.Builder b =
        CoordinatorProcess.named(logFile.getFileName().toString())
            .heap(heap)
            .jvmArgs(jvmArgs)
            .host("127.0.0.1")
            .adminToken("loadtest-" + Long.toHexString(System.nanoTime()))
            .cluster(
                clusterName(),
                clusterPort,
                n > 1 ? CoordinatorProcess.clusterMembers(firstPort, n) : "")
            // Every simulated node connects from 127.0.0.1.
            .oneAddressForAll()
            .set("tree.maxNodesPerStream=10000000")
            .set(settings)
            .log(logFile);
    Path jar = coordinatorJar != null ? coordinatorJar : defaultCoordinatorJar();
    if (jar != null) {
      b.jar(jar);
    } else {
      Path self = ReportDir.codeSource();
      if (self == null) {
        throw new IllegalStateException(
            "cannot find the coordinator jar nor this program's classpath");
      }
      // The shaded loadtest jar holds the launcher (and so the coordinator) too.
      b.classpath(self.toString());
    }
    return b.start().awaitHealthy(Duration.ofSeconds(90));
  }

  /** The Hazelcast cluster name of every coordinator this process starts: they form one cluster. */
  public static String clusterName() {
    return "loadtest-signalling-" + ProcessHandle.current().pid();
  }

  /** Heap in use as the coordinator reports it: the sum over its heap pools. */
  public static long heapUsedBytes(CoordinatorProcess c) throws Exception {
    OptionalDouble heap =
        Prometheus.sum(c.metrics(), "jvm_memory_used_bytes", Map.of("area", "heap"));
    return heap.isPresent() ? (long) heap.getAsDouble() : -1;
  }

  /** After full collections: live data, not garbage. */
  public static long heapAfterGc(CoordinatorProcess c) throws Exception {
    c.collectGarbage();
    return heapUsedBytes(c);
  }

  /**
   * The launcher jar (relay-node/launcher/target/waterfall.jar), next to this jar's module or under
   * the cwd.
   */
  static Path defaultCoordinatorJar() {
    List<Path> candidates = new ArrayList<>();
    Path self = ReportDir.codeSource();
    if (self != null
        && self.getParent() != null
        && self.getParent().getParent() != null
        && self.getParent().getParent().getParent() != null) {
      // <repo>/loadtest/target/waterfall-loadtest.jar → <repo>
      candidates.add(
          self.toAbsolutePath()
              .getParent()
              .getParent()
              .getParent()
              .resolve("relay-node/launcher/target/waterfall.jar"));
    }
    candidates.add(Path.of("relay-node/launcher/target/waterfall.jar").toAbsolutePath());
    return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
  }
}

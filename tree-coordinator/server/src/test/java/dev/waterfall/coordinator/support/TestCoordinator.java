package dev.waterfall.coordinator.support;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.testkit.process.CoordinatorProcess;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A real coordinator (embedded Hazelcast member, clustered Vert.x) on 127.0.0.1 and free ports. */
public final class TestCoordinator implements AutoCloseable {
  private static final AtomicInteger CLUSTER_PORTS =
      new AtomicInteger(16000 + (int) (ProcessHandle.current().pid() % 200) * 20);
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  public final Coordinator coordinator;
  public final String baseUrl;
  public final Rest rest;
  private final String clusterName;
  private final String clusterPort;

  private TestCoordinator(
      Coordinator coordinator, boolean tls, String clusterName, String clusterPort) {
    this.clusterName = clusterName;
    this.clusterPort = clusterPort;
    this.coordinator = coordinator;
    this.baseUrl = (tls ? "https" : "http") + "://127.0.0.1:" + coordinator.port();
    this.rest = new Rest(baseUrl, ADMIN_TOKEN);
  }

  public static TestCoordinator start(Map<String, String> overrides) throws Exception {
    return start(overrides, Clock.systemUTC());
  }

  /** With a clock of the test's (e.g. a {@link TestClock} it moves forward). */
  public static TestCoordinator start(Map<String, String> overrides, Clock clock) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("http.port", "0");
    settings.put("admin.token", ADMIN_TOKEN);
    settings.put(
        "cluster.name", "test-" + ProcessHandle.current().pid() + "-" + CLUSTER_PORTS.get());
    settings.put("cluster.port", Integer.toString(nextClusterPort()));
    // Tests connect up to thousands of nodes from 127.0.0.1; AbuseLimitsTest sets the per-address
    // limits it checks.
    settings.put("signalling.maxSocketsPerIp", "0");
    settings.put("signalling.joinsPerIpPerSecond", "0");
    settings.putAll(overrides);
    CoordinatorConfig config = CoordinatorConfig.from(Settings.defaultsOnly().with(settings));
    return new TestCoordinator(
        Coordinator.start(config, clock),
        config.http().tls().enabled(),
        settings.get("cluster.name"),
        settings.get("cluster.port"));
  }

  /** A second member of this coordinator's Hazelcast cluster, joining through it. */
  public TestCoordinator startPeer(Map<String, String> overrides) throws Exception {
    return startPeer(overrides, Clock.systemUTC());
  }

  /** The same, with a clock of the test's (one {@link TestClock} for the whole cluster). */
  public TestCoordinator startPeer(Map<String, String> overrides, Clock clock) throws Exception {
    Map<String, String> settings = new HashMap<>(overrides);
    settings.put("cluster.name", clusterName);
    settings.put("cluster.members", "127.0.0.1:" + clusterPort);
    return start(settings, clock);
  }

  /**
   * A coordinator of this module's in a JVM of its own (so a test can kill it), one of a cluster
   * whose other members have {@code otherClusterPorts}; not yet waited for.
   */
  public static CoordinatorProcess process(
      String name, String cluster, int clusterPort, List<Integer> otherClusterPorts, String... sets)
      throws IOException {
    return CoordinatorProcess.named(name)
        .mainClass("dev.waterfall.coordinator.Main")
        .adminToken(ADMIN_TOKEN)
        .cluster(cluster, clusterPort, otherClusterPorts)
        .set(sets)
        .start();
  }

  public static TestCoordinator start() throws Exception {
    return start(Map.of());
  }

  public static int nextClusterPort() {
    return CLUSTER_PORTS.getAndAdd(3);
  }

  /** Creates a stream in-process and returns its publish key. */
  public String createStream(String name) throws Exception {
    return coordinator.createStream(new StreamCatalog.Spec(name, null, null, null)).publishKey();
  }

  @Override
  public void close() {
    coordinator.stop();
  }
}

package dev.waterfall.loadtest.failover;

import ch.qos.logback.classic.Level;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import dev.waterfall.coordinator.cluster.NodeView;
import dev.waterfall.coordinator.cluster.TreeProcessors;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.tree.StreamTree;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Reads a stream's tree through a Hazelcast client: the coordinators' own snapshot query, run on
 * the partition that holds the tree. Not {@code GET /api/streams/{name}/tree}: a coordinator
 * deserialises that snapshot on its event loop, which with thousands of nodes on a loaded machine
 * blocked the loop for seconds, long enough for the coordinator to drop its own nodes as silent.
 * The measurement must not cause what it looks for.
 */
final class TreeReader implements AutoCloseable {
  private final HazelcastInstance client;

  TreeReader(String clusterName, List<String> members) {
    try { // the client's INFO lines (connections, membership) would bury the progress line
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.hazelcast"))
          .setLevel(Level.WARN);
    } catch (ClassCastException | NoClassDefFoundError e) {
      // another SLF4J backend: leave it
    }
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    members.forEach(m -> config.getNetworkConfig().addAddress(m));
    // A member dies in this run: keep trying the others, never give up for the run's length.
    config
        .getConnectionStrategyConfig()
        .getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(120_000);
    this.client = HazelcastClient.newHazelcastClient(config);
  }

  TreeSnapshot read(String stream) {
    List<NodeView> nodes =
        client
            .<String, StreamTree>getMap(TreeStore.MAP)
            .executeOnKey(stream, new TreeProcessors.Snapshot());
    if (nodes == null) {
      throw new IllegalStateException("no tree for stream " + stream);
    }
    Set<String> live =
        client.getCluster().getMembers().stream()
            .map(m -> m.getUuid().toString())
            .collect(Collectors.toSet());
    return TreeSnapshot.of(nodes, live);
  }

  @Override
  public void close() {
    client.shutdown();
  }
}

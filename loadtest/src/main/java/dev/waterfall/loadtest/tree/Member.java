package dev.waterfall.loadtest.tree;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.waterfall.coordinator.cluster.HazelcastSetup;
import dev.waterfall.coordinator.cluster.NodeView;
import dev.waterfall.coordinator.cluster.Outcomes;
import dev.waterfall.coordinator.cluster.TreeProcessors;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.tree.Role;
import dev.waterfall.tree.StreamTree;
import java.util.List;
import java.util.Map;

/**
 * One embedded Hazelcast member configured exactly as a coordinator configures its own (same map
 * config, OBJECT format, backup 1, serializer), alone on loopback under its own cluster name so it
 * never joins a coordinator that happens to run here. Every call goes through the coordinator's
 * entry processors.
 */
final class Member implements AutoCloseable {
  /** Every node is "held" by this owner; Remove only removes nodes whose owner matches. */
  static final String OWNER = "loadtest";

  static final int BITRATE_KBPS = 3000;

  private final HazelcastInstance hz;
  private final IMap<String, StreamTree> trees;
  private final int maxChildren;

  private Member(HazelcastInstance hz, int maxChildren) {
    this.hz = hz;
    this.trees = hz.getMap(TreeStore.MAP);
    this.maxChildren = maxChildren;
  }

  static Member start(int clusterPort, String clusterName, int maxChildren) {
    var cluster =
        CoordinatorConfig.from(
                Settings.defaultsOnly()
                    .with(
                        Map.of(
                            "cluster.port",
                            Integer.toString(clusterPort),
                            "cluster.name",
                            clusterName)))
            .cluster();
    return new Member(HazelcastSetup.start(cluster), maxChildren);
  }

  int maxChildren() {
    return maxChildren;
  }

  void create(String stream) {
    Boolean created =
        trees.executeOnKey(
            stream,
            new TreeProcessors.Create(
                stream, "origin-" + stream, maxChildren, BITRATE_KBPS, System.currentTimeMillis()));
    if (!Boolean.TRUE.equals(created)) {
      throw new IllegalStateException("stream " + stream + " already exists");
    }
  }

  /**
   * One join, synchronous: the caller's wait is the latency a coordinator's event loop would see.
   */
  Outcomes.Joined join(String stream, String id, long joinedAt) {
    return trees.executeOnKey(
        stream,
        new TreeProcessors.Join(id, Role.VIEWER, maxChildren, joinedAt, OWNER, Integer.MAX_VALUE));
  }

  Outcomes.Removed remove(String stream, String id, String strategy) {
    return trees.executeOnKey(stream, new TreeProcessors.Remove(id, OWNER, strategy));
  }

  Outcomes.Shape shape(String stream) {
    return trees.executeOnKey(stream, new TreeProcessors.ShapeQuery());
  }

  List<NodeView> snapshot(String stream) {
    return trees.executeOnKey(stream, new TreeProcessors.Snapshot());
  }

  /** Frees a finished phase's tree so the next phase does not pay for its garbage. */
  void drop(String stream) {
    trees.delete(stream);
  }

  @Override
  public void close() {
    hz.shutdown();
  }
}

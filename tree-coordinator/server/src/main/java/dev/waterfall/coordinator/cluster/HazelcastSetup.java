package dev.waterfall.coordinator.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.waterfall.coordinator.config.ClusterConfig;
import dev.waterfall.tree.StreamTree;

/**
 * The embedded Hazelcast member: TCP-IP join on one interface, no multicast, trees kept as objects.
 */
public final class HazelcastSetup {
  private HazelcastSetup() {}

  public static Config config(ClusterConfig cluster) {
    Config config = new Config();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Do not wait 5 s for others before forming a cluster of one: a lone coordinator starts at
    // once.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Integer.toString(cluster.failureTimeoutSeconds()));
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // Hazelcast's own metrics feed only Management Center and JMX, which nothing here reads
    // (Micrometer serves ours); their collection cycle walks every map's replicas every 5 s, and at
    // shutdown it logged an interrupted wait as an exception (seen on a loaded machine).
    config.getMetricsConfig().setEnabled(false);

    var network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true).setPortCount(100);
    network.getInterfaces().setEnabled(true).addInterface(cluster.networkInterface());
    config.setProperty("hazelcast.socket.bind.any", "false");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    cluster.members().forEach(m -> join.getTcpIpConfig().addMember(m));

    // OBJECT: entry processors mutate the live tree in place instead of (de)serialising it on every
    // join; one backup survives the loss of any one member.
    config.addMapConfig(
        new MapConfig(TreeStore.MAP).setInMemoryFormat(InMemoryFormat.OBJECT).setBackupCount(1));
    config.addMapConfig(new MapConfig("waterfall.*").setBackupCount(1));
    // Every join reads its stream's record: a near cache answers from memory, and Hazelcast
    // invalidates it cluster-wide on change, in batches (up to seconds later: an origin's key is
    // therefore read past it, StreamRegistry.getFresh). Booster tokens and fallback lists are not
    // cached: a revoked token must stop admitting on every coordinator at once (KeyRotationTest),
    // and a departed relay's URL must not be handed to pages joining elsewhere for seconds after,
    // nor a new booster's be missing there (FallbacksClusterTest); one partition read per join.
    for (String cached : new String[] {"waterfall.streams"}) {
      config.addMapConfig(
          new MapConfig(cached)
              .setBackupCount(1)
              .setNearCacheConfig(
                  new com.hazelcast.config.NearCacheConfig(cached)
                      .setInMemoryFormat(InMemoryFormat.OBJECT)
                      .setInvalidateOnChange(true)
                      .setCacheLocalEntries(true)));
    }
    // What vertx-hazelcast needs when handed our own member: its node id attribute and its maps.
    config
        .getMemberAttributeConfig()
        .setAttribute("__vertx.nodeId", java.util.UUID.randomUUID().toString());
    config.addMultiMapConfig(
        new com.hazelcast.config.MultiMapConfig("__vertx.subs")
            .setBackupCount(1)
            .setValueCollectionType(com.hazelcast.config.MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    config
        .getSerializationConfig()
        .addSerializerConfig(
            new SerializerConfig()
                .setTypeClass(StreamTree.class)
                .setImplementation(new TreeSerializer()));
    // The join path's processors and results: every one is serialised, even on a cluster of one
    // (see Wire).
    Wire.serializers().forEach(config.getSerializationConfig()::addSerializerConfig);
    return config;
  }

  public static HazelcastInstance start(ClusterConfig cluster) {
    return Hazelcast.newHazelcastInstance(config(cluster));
  }
}

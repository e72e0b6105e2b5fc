package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;
import java.util.List;

/**
 * How this coordinator's embedded Hazelcast member finds the others (TCP-IP only, never multicast).
 */
public record ClusterConfig(
    String name,
    String networkInterface,
    int port,
    List<String> members,
    int failureTimeoutSeconds) {
  public static ClusterConfig from(Settings s) {
    List<String> members = s.list("cluster.members");
    for (String m : members) {
      if (!m.matches("[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}")) {
        throw new ConfigException(
            "cluster.members: '" + m + "' is not host:port (list each port separately)");
      }
    }
    String name = s.string("cluster.name");
    if (name.isBlank()) {
      throw new ConfigException("cluster.name must not be empty");
    }
    return new ClusterConfig(
        name,
        s.string("cluster.interface"),
        s.integer("cluster.port", 1, 65535),
        members,
        s.integer("cluster.failureTimeoutSeconds", 1, 600));
  }
}

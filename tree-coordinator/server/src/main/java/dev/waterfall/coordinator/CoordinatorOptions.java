package dev.waterfall.coordinator;

import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.protocol.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The flags every command that runs a coordinator shares; each maps onto a key of the defaults
 * file.
 */
public final class CoordinatorOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Settings file (same keys as the defaults file).")
  Path config;

  @Option(names = "--host", description = "Address to bind (default 127.0.0.1).")
  String host;

  @Option(names = "--port", description = "HTTP/WebSocket port (default 8080; 0 = any free port).")
  Integer port;

  @Option(
      names = "--admin-token",
      description = "Admin bearer token (default: WATERFALL_ADMIN_TOKEN, else generated).")
  String adminToken;

  @Option(
      names = "--cluster-members",
      paramLabel = "HOST:PORT,...",
      description = "Other coordinators to join.")
  String clusterMembers;

  @Option(names = "--cluster-port", description = "First Hazelcast port to try (default 5701).")
  Integer clusterPort;

  @Option(
      names = "--cluster-interface",
      description = "Interface Hazelcast binds (default 127.0.0.1).")
  String clusterInterface;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Any setting, e.g. --set tree.maxChildren=3.")
  Map<String, String> set = new LinkedHashMap<>();

  public CoordinatorConfig load() {
    Map<String, String> flags = new LinkedHashMap<>();
    put(flags, "http.host", host);
    put(flags, "http.port", port);
    put(flags, "admin.token", adminToken);
    put(flags, "cluster.members", clusterMembers);
    put(flags, "cluster.port", clusterPort);
    put(flags, "cluster.interface", clusterInterface);
    flags.putAll(set);
    return CoordinatorConfig.from(Settings.forProcess(config, flags));
  }

  private static void put(Map<String, String> flags, String key, Object value) {
    if (value != null) {
      flags.put(key, value.toString());
    }
  }
}

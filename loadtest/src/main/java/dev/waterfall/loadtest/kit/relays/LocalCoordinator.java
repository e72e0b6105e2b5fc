package dev.waterfall.loadtest.kit.relays;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.testkit.process.Ports;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A real coordinator in this JVM (embedded Hazelcast, serving /watch/… and /publish/…) for the
 * in-process rigs: HTTP on a free port of 127.0.0.1, Hazelcast on another, alone in a cluster named
 * for this process.
 */
public final class LocalCoordinator {
  private LocalCoordinator() {}

  /**
   * {@code settings} over the defaults, then the rig's own over those; {@code oneAddressForAll}
   * lifts the per-address abuse limits (every relay or page of a rig comes from 127.0.0.1).
   */
  public static Coordinator start(
      String adminToken, String scenario, boolean oneAddressForAll, Map<String, String> settings)
      throws Exception {
    Map<String, String> all = new HashMap<>(settings);
    all.put("http.port", "0");
    all.put("admin.token", adminToken);
    all.put("cluster.port", Integer.toString(Ports.free()));
    all.put("cluster.name", "loadtest-" + scenario + "-" + ProcessHandle.current().pid());
    if (oneAddressForAll) {
      all.put("signalling.maxSocketsPerIp", "0");
      all.put("signalling.joinsPerIpPerSecond", "0");
    }
    return Coordinator.start(
        CoordinatorConfig.from(Settings.defaultsOnly().with(all)), Clock.systemUTC());
  }
}

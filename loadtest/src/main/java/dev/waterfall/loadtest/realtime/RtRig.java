package dev.waterfall.loadtest.realtime;

import ch.qos.logback.classic.Level;
import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.config.Settings;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.testkit.process.Ports;
import java.time.Clock;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * A real coordinator in this JVM (embedded Hazelcast, serving /publish/… and /watch/…), on
 * 127.0.0.1; the pages and the booster reach each other over the namespace's veth address.
 */
final class RtRig implements AutoCloseable {
  private static final String ADMIN = "loadtest-realtime-admin-token-0123456789";
  final Coordinator coordinator;
  final String base;

  RtRig(boolean verbose) throws Exception {
    if (!verbose) {
      try {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.waterfall"))
            .setLevel(Level.WARN);
      } catch (ClassCastException | NoClassDefFoundError e) {
        // another SLF4J backend: leave it
      }
    }
    coordinator =
        Coordinator.start(
            CoordinatorConfig.from(
                Settings.defaultsOnly()
                    .with(
                        Map.of(
                            "http.port",
                            "0",
                            "admin.token",
                            ADMIN,
                            "cluster.port",
                            Integer.toString(Ports.free()),
                            "cluster.name",
                            "loadtest-realtime-" + ProcessHandle.current().pid(),
                            // every page comes from one address: lift the per-address limits
                            "signalling.maxSocketsPerIp",
                            "0",
                            "signalling.joinsPerIpPerSecond",
                            "0"))),
            Clock.systemUTC());
    base = "http://127.0.0.1:" + coordinator.port();
  }

  /** A realtime stream; its publish key. */
  String realtimeStream(String name, int maxChildren, int kbps) throws Exception {
    return coordinator
        .createStream(new StreamCatalog.Spec(name, kbps, maxChildren, null, "realtime"))
        .publishKey();
  }

  String boosterToken() throws Exception {
    return coordinator.issueBoosterToken();
  }

  @Override
  public void close() {
    coordinator.stop();
  }
}

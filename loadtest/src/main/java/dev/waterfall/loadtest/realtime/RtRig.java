package dev.waterfall.loadtest.realtime;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.loadtest.kit.relays.LocalCoordinator;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import java.util.Map;

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
      RelayRig.quiet();
    }
    // every page comes from one address: lift the per-address limits
    coordinator = LocalCoordinator.start(ADMIN, "realtime", true, Map.of());
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

package dev.waterfall.loadtest.kit.relays;

import ch.qos.logback.classic.Level;
import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SegmentSource;
import dev.waterfall.relay.store.SegmentStatus;
import dev.waterfall.testkit.Closer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * A real coordinator (embedded Hazelcast) and real relays (origin, boosters) in this JVM, talking
 * WebRTC over the network namespace's veth address and HTTP on 127.0.0.1: the same wiring as
 * relay-node's integration tests. All relays share this JVM's clock, so their stores' timestamps
 * compare directly.
 */
public final class RelayRig implements AutoCloseable {
  static final String ADMIN = "loadtest-relay-admin-token-0123456789";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final Coordinator coordinator;
  public final String base;
  final Vertx vertx;

  /**
   * One libwebrtc factory for every relay, or one each (each relay then has its own native
   * threads).
   */
  private final boolean factoryPerRelay;

  private final PeerFactory shared = new PeerFactory();
  private final Closer parts = new Closer();

  public RelayRig(boolean factoryPerRelay, boolean verbose) throws Exception {
    this(factoryPerRelay, verbose, Map.of());
  }

  /**
   * {@code coordinatorSettings}: more coordinator settings (e.g. {@code tree.maxChildren}) over the
   * defaults.
   */
  public RelayRig(boolean factoryPerRelay, boolean verbose, Map<String, String> coordinatorSettings)
      throws Exception {
    if (!verbose) {
      quiet();
    }
    this.factoryPerRelay = factoryPerRelay;
    this.vertx = Vertx.vertx();
    // Every relay connects from 127.0.0.1: lift the per-address abuse limits.
    coordinator = LocalCoordinator.start(ADMIN, "relay", true, coordinatorSettings);
    base = "http://127.0.0.1:" + coordinator.port();
    parts.add(coordinator::stop);
    parts.add(vertx::close);
    parts.add(shared);
  }

  /** Relays log every join and link at INFO: fine for a daemon, noise over a progress line. */
  public static void quiet() {
    try {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.waterfall"))
          .setLevel(Level.WARN);
    } catch (ClassCastException | NoClassDefFoundError e) {
      // another SLF4J backend: leave it
    }
  }

  public String createStream(String name, int maxChildren, int bitrateKbps) throws Exception {
    return coordinator
        .createStream(new StreamCatalog.Spec(name, bitrateKbps, maxChildren, null))
        .publishKey();
  }

  public String boosterToken() throws Exception {
    return coordinator.issueBoosterToken();
  }

  private PeerFactory peers() {
    return factoryPerRelay ? add(new PeerFactory()) : shared;
  }

  /** The origin, serving HLS (the fallback) on a free port of 127.0.0.1. */
  public Relay origin(String stream, String key, SegmentSource source) throws Exception {
    PeerFactory p = peers();
    return add(
        Relay.startOrigin(
            vertx,
            p,
            new Relay.Options(List.of(base), stream, key, "127.0.0.1", 0, null),
            SegmentSigner.generate(),
            source,
            r -> {}));
  }

  /**
   * A booster; {@code http} false: it serves no HLS, so every fallback fetch goes to the origin.
   */
  public Relay booster(String stream, boolean http) throws Exception {
    PeerFactory p = peers();
    return add(
        Relay.startBooster(
            vertx,
            p,
            new Relay.Options(
                List.of(base), stream, boosterToken(), "127.0.0.1", http ? 0 : -1, null)));
  }

  private <T extends AutoCloseable> T add(T part) {
    parts.add(part);
    return part;
  }

  /**
   * Store snapshots of the given segments, read on the relay's own context (the store is not
   * thread-safe).
   */
  public static Map<Long, SegmentStatus> statuses(Relay relay, List<Long> seqs) throws Exception {
    CompletableFuture<Map<Long, SegmentStatus>> f = new CompletableFuture<>();
    relay
        .node()
        .context()
        .runOnContext(
            v -> {
              try {
                Map<Long, SegmentStatus> out = new HashMap<>();
                for (Long s : seqs) {
                  relay.store().status(s).ifPresent(st -> out.put(s, st));
                }
                f.complete(out);
              } catch (RuntimeException e) {
                f.completeExceptionally(e);
              }
            });
    return f.get(10, TimeUnit.SECONDS);
  }

  /**
   * Adds the segments {@code relay} completed since the last call, each with its completion time
   * (wall ms).
   */
  public static void recordCompleted(Relay relay, Map<Long, Long> completedAt) throws Exception {
    List<Long> seqs = sequences(relay).stream().filter(q -> !completedAt.containsKey(q)).toList();
    for (Map.Entry<Long, SegmentStatus> e : statuses(relay, seqs).entrySet()) {
      if (e.getValue().complete()) {
        completedAt.put(e.getKey(), e.getValue().completeAtMillis());
      }
    }
  }

  /** The sequences a relay holds, oldest first. */
  public static List<Long> sequences(Relay relay) throws Exception {
    CompletableFuture<List<Long>> f = new CompletableFuture<>();
    relay.node().context().runOnContext(v -> f.complete(List.copyOf(relay.store().sequences())));
    return f.get(10, TimeUnit.SECONDS);
  }

  public static Optional<Long> newest(Relay relay) throws Exception {
    List<Long> s = sequences(relay);
    return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
  }

  /** A counter or gauge from a relay's /metrics (the relay must serve HTTP). */
  public static double metric(Relay relay, String name) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.httpPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (String line : r.body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new IllegalStateException("no metric " + name + " at the relay's /metrics");
  }

  /** The relays and pages added, then the peer factory, Vert.x and the coordinator. */
  @Override
  public void close() {
    parts.close();
  }
}

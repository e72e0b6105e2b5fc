package dev.waterfall.loadtest.kit.chromium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.loadtest.kit.relays.LocalCoordinator;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.testkit.Closer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the pages watch: a real coordinator (embedded Hazelcast, serving /watch/…) and real relays
 * in this JVM, the origin publishing the built-in sample. HTTP on 127.0.0.1, WebRTC on the
 * namespace's veth address. Boosters serve no HTTP, so every HTTP byte any node or page fetched
 * came from the origin.
 */
public final class BrowserRig implements AutoCloseable {
  private static final String ADMIN = "loadtest-browsers-admin-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final Coordinator coordinator;
  final String base;
  private final Vertx vertx = Vertx.vertx();
  private final PeerFactory peers = new PeerFactory();
  private final Closer parts = new Closer();

  public BrowserRig(boolean verbose) throws Exception {
    if (!verbose) {
      RelayRig.quiet();
    }
    coordinator = LocalCoordinator.start(ADMIN, "browsers", false, Map.of());
    base = "http://127.0.0.1:" + coordinator.port();
    parts.add(coordinator::stop);
    parts.add(vertx::close);
    parts.add(peers);
  }

  /**
   * A stream with its origin publishing the sample, numbered from the wall clock as `waterfall
   * demo` does.
   */
  public Relay origin(String stream, int maxChildren) throws Exception {
    String key =
        coordinator
            .createStream(new StreamCatalog.Spec(stream, null, maxChildren, null))
            .publishKey();
    return add(
        Relay.startOrigin(
            vertx,
            peers,
            new Relay.Options(List.of(base), stream, key, "127.0.0.1", 0, null),
            SegmentSigner.generate(),
            SampleSource.fromClasspath(System.currentTimeMillis() / 2000),
            r -> {}));
  }

  public Relay booster(String stream) throws Exception {
    return add(
        Relay.startBooster(
            vertx,
            peers,
            new Relay.Options(
                List.of(base), stream, coordinator.issueBoosterToken(), "127.0.0.1", -1, null)));
  }

  public String watchUrl(String stream, boolean p2p) {
    return base + "/watch/" + stream + (p2p ? "" : "?p2p=0");
  }

  /** DataChannel bytes the relay sent to its children (its /metrics counter). */
  public static long bytesSent(Relay relay) throws Exception {
    return (long) RelayRig.metric(relay, "waterfall_relay_bytes_sent_total");
  }

  /** The sample's bitrate: its bytes over its duration. */
  public static int sampleKbps() {
    List<SampleSource.Clip> clips = SampleSource.loadClips();
    long bytes = clips.stream().mapToLong(c -> c.bytes().length).sum();
    long millis = clips.stream().mapToLong(SampleSource.Clip::durationMillis).sum();
    return (int) Math.round(bytes * 8.0 / millis);
  }

  /** When the origin signed its newest segment (epoch ms), read on its own context. */
  public static long newestProducedAt(Relay origin) throws Exception {
    CompletableFuture<Long> f = new CompletableFuture<>();
    origin
        .node()
        .context()
        .runOnContext(
            v -> {
              List<Long> seqs = origin.store().sequences();
              f.complete(
                  seqs.isEmpty()
                      ? System.currentTimeMillis()
                      : origin
                          .store()
                          .header(seqs.get(seqs.size() - 1))
                          .map(h -> h.header().producedAtMillis())
                          .orElse(System.currentTimeMillis()));
            });
    return f.get(10, TimeUnit.SECONDS);
  }

  /** Segments the relay holds, read on its own context (the store is not shared across threads). */
  public static int held(Relay relay) {
    CompletableFuture<Integer> f = new CompletableFuture<>();
    relay.node().context().runOnContext(v -> f.complete(relay.store().size()));
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return 0;
    }
  }

  /** Nodes in the stream's tree, from the coordinator's REST API; -1 if it cannot tell. */
  public int treeSize(String stream) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/api/streams/" + stream + "/tree"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode nodes = JSON.readTree(r.body()).get("nodes");
      return nodes == null ? -1 : nodes.size();
    } catch (Exception e) {
      return -1;
    }
  }

  public interface Check {
    boolean ok() throws Exception;
  }

  /**
   * Polls until {@code check} holds; past the timeout throws with {@code failure}, or returns if
   * that is null.
   */
  public static void await(Check check, long timeoutMillis, String failure) throws Exception {
    long until = System.currentTimeMillis() + timeoutMillis;
    while (!check.ok()) {
      if (System.currentTimeMillis() > until) {
        if (failure != null) {
          throw new IllegalStateException(failure);
        }
        return;
      }
      Thread.sleep(100);
    }
  }

  private <T extends AutoCloseable> T add(T part) {
    parts.add(part);
    return part;
  }

  /** The relays and pages added, then the peer factory, Vert.x and the coordinator. */
  @Override
  public void close() {
    parts.close();
  }
}

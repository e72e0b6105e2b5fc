package dev.waterfall.loadtest.realtime;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.config.Settings;
import dev.waterfall.coordinator.streams.StreamCatalog;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * A real coordinator in this JVM (embedded Hazelcast, serving /publish/… and /watch/…), on 127.0.0.1; the pages
 * and the booster reach each other over the namespace's veth address.
 */
final class RtRig implements AutoCloseable {
  private static final String ADMIN = "loadtest-realtime-admin-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final Coordinator coordinator;
  final String base;

  RtRig(boolean verbose) throws Exception {
    if (!verbose) {
      try {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.waterfall")).setLevel(Level.WARN);
      } catch (ClassCastException | NoClassDefFoundError e) {
        // another SLF4J backend: leave it
      }
    }
    coordinator = Coordinator.start(CoordinatorConfig.from(Settings.defaultsOnly().with(Map.of(
        "http.port", "0", "admin.token", ADMIN, "cluster.port", Integer.toString(freePort()),
        "cluster.name", "loadtest-realtime-" + ProcessHandle.current().pid(),
        // every page comes from one address: lift the per-address limits
        "signalling.maxSocketsPerIp", "0", "signalling.joinsPerIpPerSecond", "0"))), Clock.systemUTC());
    base = "http://127.0.0.1:" + coordinator.port();
  }

  /** A realtime stream; its publish key. */
  String realtimeStream(String name, int maxChildren, int kbps) throws Exception {
    return coordinator.createStream(new StreamCatalog.Spec(name, kbps, maxChildren, null, "realtime")).publishKey();
  }

  String boosterToken() throws Exception {
    return coordinator.issueBoosterToken();
  }

  /** The stream's tree from the coordinator's REST API. */
  JsonNode tree(String stream) throws Exception {
    return JSON.readTree(get(base + "/api/streams/" + stream + "/tree"));
  }

  /** The parent of {@code id} in the stream's tree (null if absent or the root). */
  String parentOf(String stream, String id) throws Exception {
    for (JsonNode n : tree(stream).path("nodes")) {
      if (n.path("id").asText().equals(id)) {
        return n.path("parent").isNull() ? null : n.path("parent").asText();
      }
    }
    return null;
  }

  static String get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    coordinator.stop();
  }
}

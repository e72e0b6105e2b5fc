package dev.waterfall.e2e;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.cmaf.CmafSample;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import dev.waterfall.relay.llhls.LlSettings;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.testkit.Closer;
import dev.waterfall.testkit.process.CoordinatorProcess;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real coordinator (embedded Hazelcast) with real relays in this JVM, all on the test's network
 * namespace: the coordinator and HLS on 127.0.0.1, WebRTC on the namespace's veth address.
 */
final class StreamRig implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private static final java.util.regex.Pattern SEGMENT =
      java.util.regex.Pattern.compile("seg-(\\d+)\\.ts");
  static final String ADMIN = "relay-it-admin-token-0123456789";
  Coordinator coordinator;
  String base;
  private final int clusterPort = Http.freePort();
  private final String clusterName = "relay-it-" + ProcessHandle.current().pid();
  final Vertx vertx = Vertx.vertx();
  final PeerFactory peers = new PeerFactory();
  private final Closer parts = new Closer();
  private final Map<String, String> extra;

  StreamRig() throws Exception {
    this(Map.of());
  }

  /** With coordinator settings of the test's (e.g. ice.turn.*) on top of the rig's. */
  StreamRig(Map<String, String> extra) throws Exception {
    this.extra = Map.copyOf(extra);
    start();
  }

  private StreamRig(Void unstarted) {
    this.extra = Map.of();
  }

  /**
   * One rig for a whole test class, started before its {@code @BeforeAll} methods and closed after
   * its {@code @AfterAll} ones: {@code @RegisterExtension static final StreamRig rig =
   * StreamRig.perClass();}.
   */
  static StreamRig perClass() {
    return new StreamRig((Void) null);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  private void start() throws Exception {
    coordinator =
        Coordinator.start(
            CoordinatorConfig.from(
                settings(0).with(Map.of("cluster.port", Integer.toString(clusterPort)))),
            Clock.systemUTC());
    base = "http://127.0.0.1:" + coordinator.port();
    parts.add(coordinator::stop);
    parts.add(vertx::close);
    parts.add(peers);
  }

  /**
   * Another coordinator of the rig's cluster on {@code httpPort} (0: any free port); the caller
   * stops it.
   */
  Coordinator member(int httpPort) throws Exception {
    return member(httpPort, Map.of());
  }

  /** The same, with settings of its own over the rig's (e.g. another TURN secret). */
  Coordinator member(int httpPort, Map<String, String> own) throws Exception {
    return Coordinator.start(
        CoordinatorConfig.from(
            settings(httpPort)
                .with(
                    Map.of(
                        "cluster.port",
                        Integer.toString(Http.freePort()),
                        "cluster.members",
                        "127.0.0.1:" + clusterPort))
                .with(own)),
        Clock.systemUTC());
  }

  /**
   * Every node of a test comes from one address, so the per-address abuse limits are lifted
   * (AbuseLimitsTest covers them).
   */
  private Settings settings(int httpPort) {
    return Settings.defaultsOnly()
        .with(
            Map.of(
                "http.port",
                Integer.toString(httpPort),
                "admin.token",
                ADMIN,
                "cluster.name",
                clusterName,
                "signalling.maxSocketsPerIp",
                "0",
                "signalling.joinsPerIpPerSecond",
                "0"))
        .with(extra);
  }

  /**
   * A coordinator of the launcher's in a JVM of its own (so a test can kill -9 it), one of a
   * cluster whose other members have {@code otherClusterPorts}; not yet waited for.
   */
  static CoordinatorProcess coordinatorProcess(
      String name, String cluster, int clusterPort, List<Integer> otherClusterPorts)
      throws Exception {
    return CoordinatorProcess.named(name)
        // Small and quick to start: three of these share two cores with Chromium and the relays.
        .heap("192m")
        .jvmArgs(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))
        .adminToken(ADMIN)
        .cluster(cluster, clusterPort, otherClusterPorts)
        .oneAddressForAll()
        .start();
  }

  String createStream(String name, int maxChildren) throws Exception {
    return coordinator
        .createStream(new StreamCatalog.Spec(name, 1000, maxChildren, null))
        .publishKey();
  }

  /** A realtime stream (published by the /publish page); its publish key. */
  String createRealtimeStream(String name, int maxChildren) throws Exception {
    return coordinator
        .createStream(new StreamCatalog.Spec(name, 1000, maxChildren, null, "realtime"))
        .publishKey();
  }

  String boosterToken() throws Exception {
    return coordinator.issueBoosterToken();
  }

  Relay origin(String stream, String key) throws Exception {
    return add(
        Relay.startOrigin(
            vertx,
            peers,
            new Relay.Options(List.of(base), stream, key, "127.0.0.1", 0, null),
            SegmentSigner.generate(),
            SampleSource.fromClasspath(System.currentTimeMillis() / 2000),
            r -> {}));
  }

  /**
   * An origin that also cuts the sample into LL-HLS parts, signed with its key and sent down the
   * tree.
   */
  record LlOrigin(Relay relay, LlHlsOrigin ll, SegmentSigner signer) {}

  LlOrigin llOrigin(String stream, String key) throws Exception {
    SegmentSigner signer = SegmentSigner.generate();
    long firstMsn = System.currentTimeMillis() / 2000;
    LlHlsOrigin ll =
        add(
            new LlHlsOrigin(
                    stream, CmafSample.fromClasspath(), LlSettings.DEFAULT, firstMsn, signer)
                .start());
    Relay relay =
        add(
            Relay.startOrigin(
                vertx,
                peers,
                new Relay.Options(List.of(base), stream, key, "127.0.0.1", 0, null),
                signer,
                SampleSource.fromClasspath(firstMsn),
                r -> {},
                null,
                null,
                ll));
    return new LlOrigin(relay, ll, signer);
  }

  /**
   * {@code origin}'s /ll/ playlist URL, once it answers and the origin has three segments (30 s at
   * most).
   */
  static String awaitLlPlaylist(Relay origin, String stream) throws InterruptedException {
    String url = "http://127.0.0.1:" + origin.httpPort() + "/ll/" + stream + "/index.m3u8";
    long deadline = System.currentTimeMillis() + 30_000;
    while ((sequences(origin, stream).size() < 3 || Http.get(url).statusCode() != 200)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    return url;
  }

  Relay booster(String stream) throws Exception {
    return add(
        Relay.startBooster(
            vertx,
            peers,
            new Relay.Options(List.of(base), stream, boosterToken(), "127.0.0.1", 0, null)));
  }

  <T extends AutoCloseable> T add(T part) {
    parts.add(part);
    return part;
  }

  static String hls(Relay relay, String stream) {
    return "http://127.0.0.1:" + relay.httpPort() + "/hls/" + stream + "/";
  }

  /** The media sequences in the relay's playlist, oldest first (empty while it has none). */
  static List<Long> sequences(Relay relay, String stream) {
    var reply = Http.get(hls(relay, stream) + "index.m3u8");
    List<Long> out = new ArrayList<>();
    if (reply.statusCode() == 200) {
      java.util.regex.Matcher m = SEGMENT.matcher(new String(reply.body()));
      while (m.find()) {
        out.add(Long.parseLong(m.group(1)));
      }
    }
    return out;
  }

  /** One segment's bytes as the relay serves them over HLS (null unless 200). */
  static byte[] segment(Relay relay, String stream, long seq) {
    var reply = Http.get(hls(relay, stream) + "seg-" + seq + ".ts");
    return reply.statusCode() == 200 ? reply.body() : null;
  }

  /** A counter or gauge from the relay's /metrics. */
  static double metric(Relay relay, String name) {
    for (String line : Http.text("http://127.0.0.1:" + relay.httpPort() + "/metrics").split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no metric " + name);
  }

  /** The relays and pages added, then the peer factory, Vert.x and the coordinator. */
  @Override
  public void close() {
    parts.close();
  }
}

package dev.waterfall.launcher;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.CoordinatorOptions;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.config.HttpConfig;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.cli.Running;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SampleSource;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code waterfall demo}: a whole live stream on embedded defaults, in one process, until Ctrl-C.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run a coordinator, an origin publishing the built-in sample, and one booster; print the URLs.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin CoordinatorOptions coordinatorOptions;

  @Option(
      names = "--stream",
      defaultValue = "demo",
      description = "Name of the demo stream (default: demo).")
  String stream;

  @Option(
      names = "--origin-port",
      defaultValue = "8090",
      description = "Origin HLS port (default: 8090).")
  int originPort;

  @Option(
      names = "--booster-port",
      defaultValue = "8091",
      description = "Booster HLS port (default: 8091).")
  int boosterPort;

  @Override
  public Integer call() throws Exception {
    CoordinatorConfig config = coordinatorOptions.load();
    Coordinator coordinator = Coordinator.start(config, Clock.systemUTC());
    Running running = new Running();
    running.add(coordinator::stop);
    try {
      StreamCatalog.Created created =
          coordinator.createStream(new StreamCatalog.Spec(stream, null, null, null));
      HttpConfig http = config.http();
      String host = http.host();
      String shown = shownHost(http);
      boolean tls = http.tls().enabled();
      String scheme = tls ? "https" : "http";
      String base =
          http.publicUrl().isEmpty()
              ? scheme + "://" + shown + ":" + coordinator.port()
              : http.publicUrl();
      // With TLS the relays serve their HLS with the coordinator's certificate and trust it (it
      // names the host the demo prints, or they could not connect anyway).
      Relay.Tls relayTls =
          tls
              ? new Relay.Tls(http.tls().certPath(), http.tls().keyPath(), http.tls().certPath())
              : Relay.Tls.NONE;
      Relay origin =
          running.add(
              Relay.startOrigin(
                  running.vertx,
                  running.peers,
                  new Relay.Options(
                      List.of(base),
                      stream,
                      created.publishKey(),
                      host,
                      originPort,
                      relayUrl(scheme, shown, originPort),
                      relayTls),
                  SegmentSigner.generate(),
                  SampleSource.fromClasspath(System.currentTimeMillis() / 2000),
                  r -> {}));
      Relay booster =
          running.add(
              Relay.startBooster(
                  running.vertx,
                  running.peers,
                  new Relay.Options(
                      List.of(base),
                      stream,
                      coordinator.issueBoosterToken(),
                      host,
                      boosterPort,
                      relayUrl(scheme, shown, boosterPort),
                      relayTls)));
      String originHls =
          relayUrl(scheme, shown, origin.httpPort()) + "/hls/" + stream + "/index.m3u8";
      String boosterHls =
          relayUrl(scheme, shown, booster.httpPort()) + "/hls/" + stream + "/index.m3u8";
      System.out.println();
      System.out.println("Waterfall demo is running. Ctrl-C stops it.");
      System.out.println(
          "  watch         "
              + base
              + "/watch/"
              + stream
              + "   (the browser player: a node of the tree)");
      System.out.println(
          "  dashboard     "
              + base
              + "/dashboard/"
              + stream
              + "   (the live tree, offload and repairs)");
      System.out.println(
          "  embed         "
              + base
              + "/embed/"
              + stream
              + "   (the player alone, for an iframe on any site; snippets on the dashboard)");
      System.out.println("  HLS           " + originHls + "   (origin)");
      System.out.println(
          "                " + boosterHls + "   (booster " + booster.node().nodeId() + ")");
      System.out.println("  tree (live)   " + base + "/api/streams/" + stream + "/tree");
      System.out.println(
          "  coordinator   "
              + base
              + "   (health: "
              + base
              + "/health, metrics: "
              + base
              + "/metrics)");
      System.out.println("  publish key   " + created.publishKey());
      System.out.println("  admin token   " + coordinator.adminToken());
      System.out.println("  try           ffplay " + boosterHls);
      System.out.println();
      remoteHint(tls, host, coordinator.port(), originPort, boosterPort)
          .forEach(System.out::println);
      System.out.println();
    } catch (Exception e) {
      running.stop();
      throw e;
    }
    running.untilStopped();
    return 0;
  }

  private static String relayUrl(String scheme, String host, int port) {
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * The host others reach: http.publicUrl's, else this machine's LAN address for a wildcard bind,
   * else the bound one.
   */
  static String shownHost(HttpConfig http) {
    if (!http.publicUrl().isEmpty()) {
      String h = URI.create(http.publicUrl()).getHost();
      return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }
    String host = http.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      String lan = lanAddress();
      return lan != null ? lan : "127.0.0.1";
    }
    return host;
  }

  private static String lanAddress() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // no interfaces to ask: loopback it is
    }
    return null;
  }

  /**
   * How to watch with P2P from another machine. Browsers give WebRTC's peers and WebCrypto's
   * Ed25519 (which checks every chunk) only to a secure context: https, or localhost on the
   * viewer's own machine. So from another machine a plain-http page plays plain HLS over HTTP,
   * never P2P.
   */
  static List<String> remoteHint(
      boolean tls, String host, int port, int originPort, int boosterPort) {
    List<String> lines = new ArrayList<>();
    boolean loopback = host.startsWith("127.") || host.equals("localhost") || host.equals("::1");
    if (tls) {
      lines.add(
          "  other machines  served over https: P2P works from any browser that trusts the certificate.");
      return lines;
    }
    lines.add(
        "  other machines  P2P needs a secure context in the browser: https, or localhost on the viewer's own");
    lines.add(
        "                  machine. Opened over plain http from another machine the page plays plain HLS only.");
    if (loopback) {
      lines.add(
          "                  (and this demo listens on "
              + host
              + " only: --host 0.0.0.0 opens it to the LAN)");
    }
    lines.add("                  For P2P there, either:");
    lines.add(
        "                  - serve TLS: --set http.tls.certPath=cert.pem --set http.tls.keyPath=key.pem");
    lines.add("                    (a certificate naming this machine; docs/configuration.md), or");
    lines.add(
        "                  - put Caddy in front (the recipe in docs/deployment.md, tls internal for a lab), or");
    lines.add(
        "                  - tunnel so the page is on localhost: ssh -L "
            + port
            + ":127.0.0.1:"
            + port
            + " -L "
            + originPort
            + ":127.0.0.1:"
            + originPort
            + " -L "
            + boosterPort
            + ":127.0.0.1:"
            + boosterPort
            + " <this machine>");
    lines.add("                    then open http://localhost:" + port + "/watch/<stream> there.");
    return lines;
  }
}

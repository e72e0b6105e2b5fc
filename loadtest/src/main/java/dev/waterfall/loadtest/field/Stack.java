package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.loadtest.kit.chromium.BrowserRig;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.testkit.process.JvmFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Waterfall deployed in the lab as a user deploys it, each part its own process in its own
 * namespace: on the public server coturn (STUN and TURN), Caddy terminating TLS for the coordinator
 * (https://203.0.113.10), the origin's HTTP (:8443) and a server booster's (:8444), the coordinator
 * on 127.0.0.1 behind it; the origin on the server or in a home; boosters on the server or in
 * homes. Every Java part is this jar's launcher ({@code dev.waterfall.launcher.Main}), as {@code
 * ./waterfall} runs it.
 */
final class Stack implements AutoCloseable {
  static final String STREAM = "field";
  static final String PUBLIC_BASE = "https://" + Lab.SERVER_ADDRESS;
  static final String ORIGIN_PUBLIC = "https://" + Lab.SERVER_ADDRESS + ":8443";
  static final String BOOSTER_PUBLIC = "https://" + Lab.SERVER_ADDRESS + ":8444";
  private static final int BOOSTER_PORT = 8091;
  private static final int COORDINATOR_PORT = 8080;
  private static final int ORIGIN_PORT = 8090;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Lab lab;
  private final Lab.Host server;
  private final Path dir;
  private final String adminToken = "field-admin-" + Long.toHexString(System.nanoTime());
  private final List<Process> processes = new ArrayList<>();
  private Path trustStore;
  private String publishKey;
  private Lab.Host origin;

  private final int bitrateKbps;

  Stack(Lab lab, Lab.Host server, Path dir, int bitrateKbps) {
    this.bitrateKbps = bitrateKbps;
    this.lab = lab;
    this.server = server;
    this.dir = dir;
  }

  /** coturn, Caddy and the coordinator on the server, and the stream. */
  void startPublicSide() throws Exception {
    // made per run, never written anywhere
    String turnSecret = java.util.UUID.randomUUID().toString();
    // Count what coturn sends out (to its clients from 3478, to peers from its relay ports): the
    // bytes TURN carried.
    lab.exec(
        server.namespace(),
        "iptables",
        "-A",
        "OUTPUT",
        "-o",
        "wan",
        "-p",
        "udp",
        "--sport",
        "3478");
    lab.exec(
        server.namespace(),
        "iptables",
        "-A",
        "OUTPUT",
        "-o",
        "wan",
        "-p",
        "udp",
        "--sport",
        "49152:50151");
    start(server, "coturn", coturn(turnSecret), Map.of());
    startCaddy();
    List<String> coordinator = new ArrayList<>(java(List.of()));
    coordinator.addAll(
        List.of(
            "coordinator",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(COORDINATOR_PORT),
            "--admin-token",
            adminToken,
            "--set",
            "http.publicUrl=" + PUBLIC_BASE,
            "--set",
            "http.trustedProxies=127.0.0.1",
            "--set",
            "ice.servers=stun:" + Lab.SERVER_ADDRESS + ":3478",
            "--set",
            "ice.turn.urls=turn:" + Lab.SERVER_ADDRESS + ":3478?transport=udp",
            "--set",
            "ice.turn.secret=" + turnSecret,
            "--set",
            "cluster.name=field-" + ProcessHandle.current().pid()));
    start(server, "coordinator", coordinator, Map.of());
    BrowserRig.await(
        () -> curl(server, "http://127.0.0.1:" + COORDINATOR_PORT + "/health", null, null) != null,
        90_000,
        "the coordinator did not answer /health in 90 s (see coordinator.log)");
    String created =
        curl(
            server,
            "http://127.0.0.1:" + COORDINATOR_PORT + "/api/streams",
            "{\"name\":\"" + STREAM + "\",\"bitrateKbps\":" + bitrateKbps + "}",
            adminToken);
    publishKey = JSON.readTree(created).path("publishKey").asText();
  }

  /**
   * coturn on the server, verbose (its log is what {@link CoturnLog} reads), STUN and TURN on 3478,
   * time-limited credentials signed with {@code secret} (TURN REST, {@code use-auth-secret}).
   */
  static List<String> coturn(String secret) {
    return List.of(
        "turnserver",
        "-n",
        "-v",
        "--simple-log",
        "--listening-ip=" + Lab.SERVER_ADDRESS,
        "--relay-ip=" + Lab.SERVER_ADDRESS,
        "--listening-port=3478",
        "--realm=waterfall",
        "--use-auth-secret",
        "--static-auth-secret=" + secret,
        "--no-tls",
        "--no-dtls",
        "--no-cli",
        "--log-file=stdout",
        "--no-multicast-peers",
        "--min-port=49152",
        "--max-port=50151");
  }

  /**
   * The origin publishing the sample, on the server (its HTTP behind Caddy at {@link
   * #ORIGIN_PUBLIC}) or in a home (the Tuber case: it reaches the coordinator through TLS like
   * anyone on the internet, and its HTTP is nobody's fallback); returns when it has 4 segments.
   */
  void startOrigin(Lab.Host where) throws Exception {
    origin = where;
    boolean home = where != server;
    List<String> cmd = new ArrayList<>(java(home ? trust() : List.of()));
    cmd.addAll(
        List.of(
            "publish",
            "--sample",
            "--coordinator",
            home ? PUBLIC_BASE : "http://127.0.0.1:" + COORDINATOR_PORT,
            "--stream",
            STREAM,
            "--key",
            publishKey,
            "--http-host",
            "127.0.0.1",
            "--http-port",
            Integer.toString(ORIGIN_PORT)));
    if (!home) {
      cmd.addAll(List.of("--public-url", ORIGIN_PUBLIC));
    }
    start(where, "origin", cmd, Map.of());
    BrowserRig.await(
        () -> originSegments() >= 4,
        60_000,
        "the origin did not publish 4 segments in 60 s (see origin.log)");
  }

  /**
   * A booster in {@code where}, joining through the TLS proxy as one on the internet does. On the
   * server it also serves HTTP behind Caddy ({@link #BOOSTER_PUBLIC}): a fallback pages can use.
   */
  void startBooster(Lab.Host where, String label) throws Exception {
    String token =
        JSON.readTree(
                curl(
                    server,
                    "http://127.0.0.1:" + COORDINATOR_PORT + "/api/booster-tokens",
                    "{}",
                    adminToken))
            .path("token")
            .asText();
    List<String> cmd = new ArrayList<>(java(trust()));
    cmd.addAll(
        List.of("boost", "--coordinator", PUBLIC_BASE, "--stream", STREAM, "--token", token));
    if (where == server) {
      cmd.addAll(
          List.of(
              "--http-host",
              "127.0.0.1",
              "--http-port",
              Integer.toString(BOOSTER_PORT),
              "--public-url",
              BOOSTER_PUBLIC));
    }
    start(where, label, cmd, Map.of());
  }

  /**
   * A {@link Withholder} in {@code where}, joining through the TLS proxy as a page does; returns
   * its node id once the coordinator has placed it.
   */
  String startWithholder(Lab.Host where, String label) throws Exception {
    List<String> cmd = new ArrayList<>(java(trust()));
    cmd.set(cmd.size() - 1, Withholder.class.getName());
    cmd.addAll(List.of(PUBLIC_BASE, STREAM));
    start(where, label, cmd, Map.of());
    Path log = dir.resolve(label + ".log");
    String[] id = new String[1];
    BrowserRig.await(
        () -> {
          if (Files.isRegularFile(log)) {
            for (String line : Files.readAllLines(log)) {
              if (line.startsWith("welcome ")) {
                id[0] = line.split(" ")[1];
                return true;
              }
            }
          }
          return false;
        },
        60_000,
        "the withholder was not placed in 60 s (see " + label + ".log)");
    return id[0];
  }

  /**
   * The lines of a log that name any of {@code ids} (the coordinator's word on the withholders:
   * starving reports, moves, demotions), at most {@code max}, joined by newlines.
   */
  static String linesMentioning(Path log, List<String> ids, int max) throws IOException {
    if (!Files.isRegularFile(log) || ids.isEmpty()) {
      return "";
    }
    return Files.readAllLines(log).stream()
        .filter(l -> ids.stream().anyMatch(l::contains))
        .limit(max)
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  private List<String> trust() {
    return List.of(
        "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit");
  }

  /**
   * The origin's counter (DataChannel bytes sent, HTTP bytes served, …) from its /metrics; -1 if
   * unreadable.
   */
  double originMetric(String name) {
    String body = curl(origin, "http://127.0.0.1:" + ORIGIN_PORT + "/metrics", null, null);
    if (body == null) {
      return -1;
    }
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return -1;
  }

  /**
   * Bytes coturn has sent out of the server (relayed data, and a few STUN answers); -1 if
   * unreadable.
   */
  long turnBytes() {
    try {
      long sum = 0;
      for (String line :
          lab.exec(server.namespace(), "iptables", "-L", "OUTPUT", "-v", "-x", "-n").split("\n")) {
        if (line.contains("spt:3478") || line.contains("spts:49152:50151")) {
          sum += Long.parseLong(line.trim().split("\\s+")[1]);
        }
      }
      return sum;
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  /** The origin's whole /metrics page into the run's logs, for what the report does not quote. */
  void saveOriginMetrics(String name) throws IOException {
    String body = curl(origin, "http://127.0.0.1:" + ORIGIN_PORT + "/metrics", null, null);
    Files.writeString(dir.resolve(name), body == null ? "(unreadable)\n" : body);
  }

  /** Segments in the origin's live playlist. */
  int originSegments() {
    String playlist =
        curl(
            origin,
            "http://127.0.0.1:" + ORIGIN_PORT + "/hls/" + STREAM + "/index.m3u8",
            null,
            null);
    return playlist == null ? 0 : playlist.split("#EXTINF", -1).length - 1;
  }

  /** The stream's tree from the coordinator's REST API, or null. */
  JsonNode tree() {
    String body =
        curl(
            server,
            "http://127.0.0.1:" + COORDINATOR_PORT + "/api/streams/" + STREAM + "/tree",
            null,
            null);
    try {
      return body == null ? null : JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The nodes of the stream's first dashboard snapshot (admin: health and the figures nodes report,
   * such as how far behind the origin a booster receives segments); null if unreadable.
   */
  JsonNode dashboardNodes() {
    return DashboardFeed.read(
        lab,
        server.namespace(),
        "http://127.0.0.1:" + COORDINATOR_PORT + "/api/streams/" + STREAM + "/dashboard",
        adminToken);
  }

  /**
   * curl inside a host's namespace (this JVM sits outside the lab): the body, or null on any
   * failure.
   */
  private String curl(Lab.Host host, String url, String postBody, String bearer) {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sf", "--max-time", "5", url));
    if (postBody != null) {
      cmd.addAll(List.of("-X", "POST", "-H", "Content-Type: application/json", "--data", postBody));
    }
    if (bearer != null) {
      cmd.addAll(List.of("-H", "Authorization: Bearer " + bearer));
    }
    try {
      return lab.exec(host.namespace(), cmd.toArray(String[]::new));
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  /**
   * Caddy with its own CA ({@code tls internal}), certificates for the server's IP address; a Java
   * trust store with that CA for the boosters (pages are launched with --ignore-certificate-errors
   * instead).
   */
  private void startCaddy() throws Exception {
    Path caddyHome = Files.createDirectories(dir.resolve("caddy"));
    Path caddyfile = caddyHome.resolve("Caddyfile");
    Files.writeString(
        caddyfile,
        """
        {
        	admin off
        	local_certs
        	skip_install_trust
        	auto_https disable_redirects
        	storage file_system %s
        }
        https://%s {
        	tls internal
        	reverse_proxy 127.0.0.1:%d
        }
        https://%s:8443 {
        	tls internal
        	reverse_proxy 127.0.0.1:%d
        }
        https://%s:8444 {
        	tls internal
        	reverse_proxy 127.0.0.1:%d
        }
        """
            .formatted(
                caddyHome.resolve("data"),
                Lab.SERVER_ADDRESS,
                COORDINATOR_PORT,
                Lab.SERVER_ADDRESS,
                ORIGIN_PORT,
                Lab.SERVER_ADDRESS,
                BOOSTER_PORT));
    start(
        server,
        "caddy",
        List.of("caddy", "run", "--config", caddyfile.toString(), "--adapter", "caddyfile"),
        Map.of(
            "HOME",
            caddyHome.toString(),
            "XDG_DATA_HOME",
            caddyHome.toString(),
            "XDG_CONFIG_HOME",
            caddyHome.toString()));
    Path root = caddyHome.resolve("data/pki/authorities/local/root.crt");
    BrowserRig.await(
        () -> Files.isRegularFile(root), 30_000, "Caddy made no CA in 30 s (see caddy.log)");
    trustStore = dir.resolve("caddy-trust.p12");
    Files.deleteIfExists(trustStore);
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-importcert",
                "-noprompt",
                "-alias",
                "caddy-lab",
                "-file",
                root.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    keytool.getInputStream().readAllBytes();
    if (keytool.waitFor() != 0) {
      throw new IOException("keytool could not import Caddy's CA");
    }
  }

  private List<String> java(List<String> extra) {
    Path self = ReportDir.codeSource();
    String classPath =
        self != null && self.toString().endsWith(".jar")
            ? self.toString()
            : System.getProperty("java.class.path");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx384m"));
    cmd.addAll(JvmFlags.HAZELCAST);
    cmd.addAll(extra);
    cmd.addAll(List.of("-cp", classPath, "dev.waterfall.launcher.Main"));
    return cmd;
  }

  private void start(Lab.Host host, String label, List<String> cmd, Map<String, String> env)
      throws IOException {
    processes.add(lab.start(host.namespace(), cmd, dir.resolve(label + ".log"), env));
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}

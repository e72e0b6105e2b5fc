package dev.waterfall.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A coturn TURN server (Debian package coturn) in the test's network namespace, in the TURN REST
 * API mode the coordinator's credentials are made for ({@code use-auth-secret}), with a secret made
 * for this run. Verbose, so its log names each allocation's user and how each request went; the log
 * goes to target/coturn-logs/.
 */
final class Coturn implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/turnserver");
  final String address;
  final int port;
  final String secret;
  private final Path log;
  private final Process process;

  private Coturn(String address, int port, String secret, Path log, Process process) {
    this.address = address;
    this.port = port;
    this.secret = secret;
    this.log = log;
    this.process = process;
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Listens and relays on {@code address} (the namespace's veth address), UDP and TCP, no TLS. */
  static Coturn start(String address) throws Exception {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String secret = HexFormat.of().formatHex(random);
    int port = Http.freePort();
    Path dir = Files.createDirectories(Path.of("target", "coturn-logs"));
    String run = ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    Path log = dir.resolve("turnserver-" + run + ".log");
    List<String> cmd =
        List.of(
            BINARY.toString(),
            "-n",
            "-v",
            "--listening-ip=" + address,
            "--relay-ip=" + address,
            "--listening-port=" + port,
            "--use-auth-secret",
            "--static-auth-secret=" + secret,
            "--realm=waterfall",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--no-multicast-peers",
            // coturn 4.6.1 relays to private addresses unless told not to; say so, should a later
            // one deny them.
            "--allowed-peer-ip=10.77.0.0-10.77.0.255",
            "--log-file=stdout",
            "--simple-log",
            // Its own user database and pid file, so no state is shared with a coturn installed on
            // the host.
            "--userdb=" + dir.resolve("turndb-" + run).toAbsolutePath(),
            "--pidfile=" + dir.resolve("turnserver-" + run + ".pid").toAbsolutePath());
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Coturn coturn = new Coturn(address, port, secret, log, p);
    coturn.awaitReady();
    return coturn;
  }

  /** The URL the coordinator hands out (UDP, as a WebRTC client prefers). */
  String url() {
    return "turn:" + address + ":" + port + "?transport=udp";
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Lines of the log about this user (the node id after the expiry in TURN usernames). */
  List<String> linesAbout(String nodeId) {
    return log().lines().filter(l -> l.contains(":" + nodeId + ">")).toList();
  }

  private void awaitReady() throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("turnserver exited: " + log());
      }
      // The auth threads start last: from then on allocations are answered.
      if (log().contains("IO method (auth thread)")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("turnserver not ready within 10 s: " + log());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}

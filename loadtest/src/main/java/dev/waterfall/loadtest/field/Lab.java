package dev.waterfall.loadtest.field;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An emulated internet in network namespaces, built with ip, tc and iptables and torn down on
 * close. A namespace {@code <tag>-inet} holds a bridge, the internet: every public host (the
 * server, each home's router) has one address on it in 203.0.113.0/24 (a documentation range, so
 * nothing here is mistaken for a private LAN). A home is a router namespace (NAT, caps, loss,
 * delay) with one host namespace behind it on 192.168.N.0/24.
 *
 * <p>Only this machine's kernel facts are used (no netem here, see docs/benchmarks.md "Field lab"):
 * tbf caps each direction at the router's egress, a statistic match drops at random in each
 * direction, and a delayer (loadtest/src/main/resources/dev/waterfall/loadtest/field/delayer.c, on
 * NFQUEUE) holds each packet for the one-way delay. The root namespace is never touched; nothing is
 * routed out of the lab.
 */
final class Lab implements AutoCloseable {
  static final String SERVER_ADDRESS = "203.0.113.10";

  /**
   * The internet's core: every public host's default route. It drops what is not addressed to a
   * public host (a private address), silently, as the real internet does.
   */
  static final String CORE_ADDRESS = "203.0.113.1";

  private final String tag;
  private final Path delayer;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> delayers = new ArrayList<>();
  private int nextPublic = 100;

  /**
   * A host namespace and what reaches it from the internet; {@code router} is its home's router
   * namespace (null for the server).
   */
  record Host(String namespace, String address, String publicAddress, String router) {}

  Lab(String tag, Path delayer) throws IOException, InterruptedException {
    this.tag = tag;
    this.delayer = delayer;
    String inet = add("inet");
    ip("-n", inet, "link", "add", "br0", "type", "bridge");
    ip("-n", inet, "link", "set", "br0", "up");
    // Without a default route a send to a private address (a peer's host candidate) fails at once
    // with "Network is unreachable", and coturn closes the relay socket that sent it: every TURN
    // allocation that checked a host candidate died within a second (issue 13). A real server's
    // send succeeds and the packet is lost upstream; so here.
    ip("-n", inet, "addr", "add", CORE_ADDRESS + "/24", "dev", "br0");
    exec(
        inet,
        "iptables",
        "-t",
        "raw",
        "-A",
        "PREROUTING",
        "!",
        "-d",
        "203.0.113.0/24",
        "-j",
        "DROP");
  }

  /** The public server: one address on the internet, no NAT, no cap. */
  Host server() throws IOException, InterruptedException {
    String ns = add("server");
    attach(ns, "srv", SERVER_ADDRESS);
    return new Host(ns, SERVER_ADDRESS, SERVER_ADDRESS, null);
  }

  /**
   * Home {@code n}: a router with NAT, caps, loss and delay, and one host behind it at 192.168.n.2.
   */
  Host home(int n, Profile.Home h) throws IOException, InterruptedException {
    String router = add("r" + n);
    String host = add("h" + n);
    String wan = "203.0.113." + nextPublic++;
    attach(router, "r" + n, wan);
    ip("-n", router, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", host);
    ip("-n", router, "addr", "add", "192.168." + n + ".1/24", "dev", "lan");
    ip("-n", router, "link", "set", "lan", "up");
    ip("-n", host, "addr", "add", "192.168." + n + ".2/24", "dev", "eth0");
    ip("-n", host, "link", "set", "eth0", "up");
    ip("-n", host, "route", "add", "default", "via", "192.168." + n + ".1");
    exec(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    // MASQUERADE keeps a flow's source port where it can: port-restricted cone. --random-fully
    // picks a new port per destination: symmetric, where hole punching between two such homes (or
    // with a cone) fails.
    List<String> nat =
        new ArrayList<>(
            List.of("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"));
    if (h.nat() == Profile.Nat.SYMMETRIC) {
      nat.add("--random-fully");
    }
    exec(router, nat.toArray(String[]::new));
    // The firewall every home router has: nothing unsolicited from the internet reaches the router
    // itself. Without it a peer's first hole-punching packet is delivered locally, its conntrack
    // entry confirmed, and MASQUERADE must then map the host's own flow to that peer to another
    // port: no two homes could ever punch a hole (measured: 0 of 3000 UDP packets home to home
    // without this rule, 3000 of 3000 with it).
    exec(
        router,
        "iptables",
        "-A",
        "INPUT",
        "-i",
        "wan",
        "-m",
        "conntrack",
        "--ctstate",
        "NEW",
        "-j",
        "DROP");
    shape(router, "wan", h.upKbps());
    shape(router, "lan", h.downKbps());
    int queue = 7;
    for (String in : List.of("wan", "lan")) {
      if (h.lossPercent() > 0) {
        exec(
            router,
            "iptables",
            "-t",
            "raw",
            "-A",
            "PREROUTING",
            "-i",
            in,
            "-m",
            "statistic",
            "--mode",
            "random",
            "--probability",
            Double.toString(h.lossPercent() / 100),
            "-j",
            "DROP");
      }
      if (h.delayMs() > 0) {
        // One queue and delayer per direction: with one for both, a direction's packets (kept in
        // order) wait behind the other's and the jitter of a busy direction leaks into the quiet
        // one. --queue-bypass: should a delayer die, packets pass undelayed rather than being
        // dropped.
        exec(
            router,
            "iptables",
            "-t",
            "raw",
            "-A",
            "PREROUTING",
            "-i",
            in,
            "-j",
            "NFQUEUE",
            "--queue-num",
            Integer.toString(queue),
            "--queue-bypass");
        startDelayer(router, queue, h.delayMs(), h.jitterMs(), n * 10 + queue);
      }
      queue++;
    }
    return new Host(host, "192.168." + n + ".2", wan, router);
  }

  /**
   * The home goes offline: its router forwards nothing more either way, as when its line drops. No
   * end sees a close; whoever talked to it must notice the silence.
   */
  void cut(Host home) throws IOException, InterruptedException {
    if (home.router() == null) {
      throw new IllegalArgumentException("only a home can be cut off: " + home.namespace());
    }
    exec(home.router(), "iptables", "-I", "FORWARD", "1", "-j", "DROP");
  }

  /** A command inside a namespace, its output to {@code log}; the caller stops it. */
  Process start(String namespace, List<String> command, Path log, java.util.Map<String, String> env)
      throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(full)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Runs a short command in a namespace and returns its standard output; throws if it fails. */
  String exec(String namespace, String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(List.of(command));
    return run(full);
  }

  private void shape(String ns, String iface, int kbps) throws IOException, InterruptedException {
    // burst: 10 ms at the rate (and at least two full frames), as tbf needs ≥ rate/HZ; latency
    // bounds the queue a home router keeps: 150 ms, modest next to real routers' bufferbloat.
    long burst = Math.max(3028, kbps * 1000L / 8 / 100);
    run(
        List.of(
            "tc",
            "-n",
            ns,
            "qdisc",
            "add",
            "dev",
            iface,
            "root",
            "tbf",
            "rate",
            kbps + "kbit",
            "burst",
            Long.toString(burst),
            "latency",
            "150ms"));
  }

  private void startDelayer(String ns, int queue, int delayMs, int jitterMs, int seed)
      throws IOException {
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                delayer.toString(),
                "--queue",
                Integer.toString(queue),
                "--delay-ms",
                Integer.toString(delayMs),
                "--jitter-ms",
                Integer.toString(jitterMs),
                "--seed",
                Integer.toString(seed))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    delayers.add(p);
    String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.US_ASCII);
    if (!line.startsWith("ready")) {
      throw new IOException("the delayer in " + ns + " did not start (said '" + line.trim() + "')");
    }
  }

  /** A namespace on the internet's bridge with {@code address}/24 on its interface "wan". */
  private void attach(String ns, String port, String address)
      throws IOException, InterruptedException {
    String inet = tag + "-inet";
    ip("-n", inet, "link", "add", port, "type", "veth", "peer", "name", "wan", "netns", ns);
    ip("-n", inet, "link", "set", port, "master", "br0");
    ip("-n", inet, "link", "set", port, "up");
    ip("-n", ns, "addr", "add", address + "/24", "dev", "wan");
    ip("-n", ns, "link", "set", "wan", "up");
    ip("-n", ns, "route", "add", "default", "via", CORE_ADDRESS);
  }

  private String add(String name) throws IOException, InterruptedException {
    String ns = tag + "-" + name;
    ip("netns", "add", ns);
    namespaces.add(ns);
    ip("-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    run(cmd);
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.trim());
    }
    return out;
  }

  /** Namespaces of an earlier run with this prefix that died before its close (e.g. killed). */
  static void removeLeftovers(String prefix) throws IOException, InterruptedException {
    Path dir = Path.of("/run/netns");
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var names = Files.list(dir)) {
      for (Path p : names.toList()) {
        if (p.getFileName().toString().startsWith(prefix)) {
          killAll(p.getFileName().toString());
          run(List.of("ip", "netns", "delete", p.getFileName().toString()));
        }
      }
    }
  }

  /** Every process still inside a namespace (so deleting it really frees it). */
  private static void killAll(String ns) throws IOException, InterruptedException {
    String pids = run(List.of("ip", "netns", "pids", ns)).trim();
    for (String pid : pids.split("\\s+")) {
      if (!pid.isEmpty()) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Override
  public void close() {
    delayers.forEach(Process::destroy);
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      try {
        killAll(namespaces.get(i));
        run(List.of("ip", "netns", "delete", namespaces.get(i)));
      } catch (IOException | InterruptedException e) {
        System.err.println(
            "field lab: could not remove namespace " + namespaces.get(i) + ": " + e.getMessage());
      }
    }
  }
}

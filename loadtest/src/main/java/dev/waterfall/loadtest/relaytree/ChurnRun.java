package dev.waterfall.loadtest.relaytree;

import dev.waterfall.loadtest.kit.processes.HostProcess;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.relay.Relay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The phases of a relay-tree run: start N booster JVMs and wait until every one holds a segment,
 * let two more segments pass, then the measured window: at the churn rate a booster is SIGKILLed
 * and a new one started at once, while the origin's segments, children and bytes sent are sampled
 * every 200 ms.
 */
final class ChurnRun {
  private final RelayRig rig;
  private final String stream;
  private final Relay origin;
  private final List<String> hostJvmArgs;
  private final Path log;
  private final int segmentMs;

  /** Every booster JVM started, killed ones included (their reports count up to the kill). */
  final List<HostProcess> hosts = new ArrayList<>();

  ChurnRun(
      RelayRig rig,
      String stream,
      Relay origin,
      List<String> hostJvmArgs,
      Path log,
      int segmentMs) {
    this.rig = rig;
    this.stream = stream;
    this.origin = origin;
    this.hostJvmArgs = hostJvmArgs;
    this.log = log;
    this.segmentMs = segmentMs;
  }

  Window run(
      int relays,
      int seconds,
      double churnPerMinute,
      long seed,
      long playbackDelayMs,
      Progress progress,
      Deadline deadline)
      throws Exception {
    Map<Long, Long> originAt = new TreeMap<>();
    Histogram originChildren = new Histogram(2); // sampled every 200 ms: explains the egress ratio
    List<Kill> kills = new ArrayList<>();
    progress.phase("starting " + relays + " booster JVMs", relays);
    for (int i = 0; i < relays; i++) {
      hosts.add(spawn());
    }
    // Every booster joined and fed (holds a complete segment).
    long until = System.currentTimeMillis() + 120_000;
    long fedShown = 0;
    while (System.currentTimeMillis() < until && !deadline.passed()) {
      long fed = hosts.stream().filter(h -> h.log.firstSegmentAtMillis() > 0).count();
      progress.add(fed - fedShown);
      fedShown = fed;
      if (fed == relays) {
        break;
      }
      RelayRig.recordCompleted(origin, originAt);
      Thread.sleep(500);
    }
    for (int k = 0; k < 4; k++) { // settle: two segments more with everyone in place
      RelayRig.recordCompleted(origin, originAt);
      Thread.sleep(segmentMs / 2);
    }
    Random random = new Random(seed);
    double killsPerSecond = churnPerMinute * relays / 60.0;
    long intervalMs = killsPerSecond <= 0 ? Long.MAX_VALUE : Math.round(1000 / killsPerSecond);
    long windowStart = System.currentTimeMillis();
    // The origin's bytes-sent metric sums its *current* children: it drops by a child's whole count
    // when the child goes. Summing the rises between samples 200 ms apart counts what was sent
    // (less the last 200 ms to a child before it went).
    double lastSent = RelayRig.metric(origin, "waterfall_relay_bytes_sent_total");
    double sent = 0;
    long nextKill = intervalMs == Long.MAX_VALUE ? Long.MAX_VALUE : windowStart + intervalMs / 2;
    long end = windowStart + seconds * 1000L;
    progress.phase("churn: " + relays + " relays, " + churnPerMinute * 100 + "%/min", seconds);
    long shown = 0;
    while (System.currentTimeMillis() < end && !deadline.passed()) {
      long now = System.currentTimeMillis();
      if (now >= nextKill) {
        kill(random, now).ifPresent(kills::add);
        nextKill += intervalMs;
      }
      RelayRig.recordCompleted(origin, originAt);
      originChildren.recordValue(origin.node().children());
      double nowSent = RelayRig.metric(origin, "waterfall_relay_bytes_sent_total");
      sent += Math.max(0, nowSent - lastSent);
      lastSent = nowSent;
      long elapsed = (System.currentTimeMillis() - windowStart) / 1000;
      progress.add(elapsed - shown);
      shown = elapsed;
      progress.extra(kills.size() + " killed");
      Thread.sleep(200);
    }
    long windowEnd = System.currentTimeMillis();
    double originSent =
        sent + Math.max(0, RelayRig.metric(origin, "waterfall_relay_bytes_sent_total") - lastSent);
    // Segments due just before the end may still arrive: give them their deadline.
    Thread.sleep(Math.min(playbackDelayMs, 10_000));
    RelayRig.recordCompleted(origin, originAt);
    return new Window(windowStart, windowEnd, originSent, kills, originAt, originChildren);
  }

  /** SIGKILLs a random live booster (noting its parent and children first) and starts a new one. */
  private java.util.Optional<Kill> kill(Random random, long now) throws Exception {
    List<HostProcess> alive =
        hosts.stream().filter(h -> h.alive() && h.log.nodeId() != null).toList();
    if (alive.isEmpty()) {
      return java.util.Optional.empty();
    }
    HostProcess victim = alive.get(random.nextInt(alive.size()));
    List<String> children = new ArrayList<>();
    for (HostProcess h : alive) {
      if (h != victim && victim.log.nodeId().equals(h.log.parentAt(now))) {
        children.add(h.log.nodeId());
      }
    }
    String parent = victim.log.parentAt(now);
    victim.kill();
    hosts.add(spawn());
    return java.util.Optional.of(
        new Kill(victim.killedAtMillis(), victim.log.nodeId(), parent, children));
  }

  private HostProcess spawn() throws Exception {
    return new HostProcess(
        hosts.size(), HostProcess.command(hostJvmArgs, rig.base, stream, rig.boosterToken()), log);
  }

  void destroy() {
    hosts.forEach(HostProcess::destroy);
  }
}

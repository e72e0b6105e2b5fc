package dev.waterfall.loadtest.relaytree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.relay.RelayRig;
import dev.waterfall.loadtest.relay.SyntheticSource;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.store.SegmentStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relay-tree}: the real origin (in this JVM, with the coordinator) and N boosters, each in a JVM of its
 * own, carrying a synthetic stream through the tree while relays crash (SIGKILL) and new ones join at a churn
 * rate. From what every relay reports: latency by depth, continuity (share of segments each relay held complete
 * before its playback deadline), stalls, fallback share, origin egress, and repair time (parent lost → bytes
 * flowing from the new parent).
 */
@Command(name = "relay-tree", mixinStandardHelpOptions = true,
    description = "Origin + N booster JVMs with crashes and joins at a churn rate (run through ./waterfall: it makes the network namespace).")
public final class RelayTreeScenario extends Scenario {
  @Option(names = "--relays", defaultValue = "12", description = "Boosters, one JVM each (default ${DEFAULT-VALUE}).")
  int relays;

  @Option(names = "--seconds", defaultValue = "120", description = "Measured window with churn (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--churn-per-minute", defaultValue = "0.1",
      description = "Share of the relays killed (and replaced by new ones) per minute (default ${DEFAULT-VALUE}).")
  double churnPerMinute;

  @Option(names = "--playback-delay-ms", defaultValue = "6000",
      description = "A segment is due this long after the origin has it (3 segments, as an hls.js player "
          + "starting 3 behind the live edge) (default ${DEFAULT-VALUE}).")
  long playbackDelayMs;

  @Option(names = "--bitrate", defaultValue = "1500", description = "Stream bitrate in kbps (default ${DEFAULT-VALUE}).")
  int kbps;

  @Option(names = "--segment-ms", defaultValue = "2000", description = "Segment duration (default ${DEFAULT-VALUE}).")
  int segmentMs;

  @Option(names = "--max-children", defaultValue = "4", description = "Fan-out (default ${DEFAULT-VALUE}).")
  int maxChildren;

  @Option(names = "--host-jvm-args", split = " ", defaultValue = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
      description = "JVM flags of each booster's JVM (default ${DEFAULT-VALUE}: small, so a dozen fit on 2 cores).")
  List<String> hostJvmArgs;

  @Option(names = "--seed", defaultValue = "42", description = "Which relays are killed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--verbose", description = "Keep the origin's and coordinator's INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "relay-tree";
  }

  private record Kill(long atMillis, String nodeId, List<String> children) {}

  @Override
  protected void validate() {
    if (relays < 1 || relays > 64 || seconds < 10 || churnPerMinute < 0 || churnPerMinute > 5 || kbps < 1
        || segmentMs < 100 || playbackDelayMs < 0 || maxChildren < 1) {
      throw new IllegalArgumentException("need 1 <= --relays <= 64, --seconds >= 10, 0 <= --churn-per-minute <= 5, "
          + "--bitrate >= 1, --segment-ms >= 100, --playback-delay-ms >= 0, --max-children >= 1");
    }
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode s = report.settings();
    s.put("relays", relays);
    s.put("seconds", seconds);
    s.put("churnPerMinute", churnPerMinute);
    s.put("playbackDelayMs", playbackDelayMs);
    s.put("bitrateKbps", kbps);
    s.put("segmentMs", segmentMs);
    s.put("maxChildren", maxChildren);
    s.putPOJO("hostJvmArgs", hostJvmArgs);
    s.put("seed", seed);
    s.put("topology", "coordinator + origin in this JVM; each booster a JVM of its own (RelayHost), no HLS server "
        + "(fallback only from the origin); a kill is SIGKILL of a booster's JVM, followed at once by a new booster");
    ObjectNode figures = report.figures();
    figures.put("bitrateKbps", kbps);
    Path logDir = ReportDir.locate(common.reportsDir);
    Files.createDirectories(logDir);
    Path log = logDir.resolve("relay-tree-hosts.log");
    Files.deleteIfExists(log);
    List<HostProcess> hosts = new ArrayList<>();
    List<Kill> kills = new ArrayList<>();
    Map<Long, Long> originAt = new TreeMap<>();
    Histogram originChildren = new Histogram(2); // sampled every 200 ms: explains the egress ratio
    String stream = "tree";
    long windowStart;
    long windowEnd;
    double originSent;
    try (RelayRig rig = new RelayRig(false, verbose)) {
      String key = rig.createStream(stream, maxChildren, kbps);
      SyntheticSource source = new SyntheticSource(kbps, segmentMs, System.currentTimeMillis() / segmentMs, 13);
      figures.put("segmentBytes", source.bytesPerSegment());
      Relay origin = rig.origin(stream, key, source);
      String originId = origin.node().nodeId();
      try {
        progress.phase("starting " + relays + " booster JVMs", relays);
        for (int i = 0; i < relays; i++) {
          hosts.add(spawn(rig, stream, hosts.size(), log));
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
          pollOrigin(origin, originAt);
          Thread.sleep(500);
        }
        for (int k = 0; k < 4; k++) { // settle: two segments more with everyone in place
          pollOrigin(origin, originAt);
          Thread.sleep(segmentMs / 2);
        }
        Random random = new Random(seed);
        double killsPerSecond = churnPerMinute * relays / 60.0;
        long intervalMs = killsPerSecond <= 0 ? Long.MAX_VALUE : Math.round(1000 / killsPerSecond);
        windowStart = System.currentTimeMillis();
        // The origin's bytes-sent metric sums its *current* children: it drops by a child's whole count when the
        // child goes. Summing the rises between samples 200 ms apart counts what was sent (less the last 200 ms
        // to a child before it went).
        double lastSent = RelayRig.metric(origin, "waterfall_relay_bytes_sent_total");
        double sent = 0;
        long nextKill = intervalMs == Long.MAX_VALUE ? Long.MAX_VALUE : windowStart + intervalMs / 2;
        long end = windowStart + seconds * 1000L;
        progress.phase("churn: " + relays + " relays, " + churnPerMinute * 100 + "%/min", seconds);
        long shown = 0;
        while (System.currentTimeMillis() < end && !deadline.passed()) {
          long now = System.currentTimeMillis();
          if (now >= nextKill) {
            List<HostProcess> alive = hosts.stream().filter(h -> h.alive() && h.log.nodeId() != null).toList();
            if (!alive.isEmpty()) {
              HostProcess victim = alive.get(random.nextInt(alive.size()));
              List<String> children = new ArrayList<>();
              for (HostProcess h : alive) {
                if (h != victim && victim.log.nodeId().equals(h.log.parentAt(now))) {
                  children.add(h.log.nodeId());
                }
              }
              victim.kill();
              kills.add(new Kill(victim.killedAtMillis(), victim.log.nodeId(), children));
              hosts.add(spawn(rig, stream, hosts.size(), log));
            }
            nextKill += intervalMs;
          }
          pollOrigin(origin, originAt);
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
        windowEnd = System.currentTimeMillis();
        originSent = sent + Math.max(0, RelayRig.metric(origin, "waterfall_relay_bytes_sent_total") - lastSent);
        // Segments due just before the end may still arrive: give them their deadline.
        Thread.sleep(Math.min(playbackDelayMs, 10_000));
        pollOrigin(origin, originAt);
      } finally {
        hosts.forEach(HostProcess::destroy);
      }
      summarise(report, hosts, kills, originAt, originId, source.bytesPerSegment(), windowStart, windowEnd,
          originSent);
      figures.put("originChildrenMean", Math.round(originChildren.getMean() * 100) / 100.0);
      figures.put("originChildrenMin", originChildren.getMinValue());
      figures.put("originChildrenMax", originChildren.getMaxValue());
    }
  }

  private HostProcess spawn(RelayRig rig, String stream, int index, Path log) throws Exception {
    String classPath = ReportDir.codeSource() != null && ReportDir.codeSource().toString().endsWith(".jar")
        ? ReportDir.codeSource().toString() : System.getProperty("java.class.path");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(hostJvmArgs);
    cmd.addAll(List.of("-cp", classPath, RelayHost.class.getName(), rig.base, stream, rig.boosterToken()));
    return new HostProcess(index, cmd, log);
  }

  private static void pollOrigin(Relay origin, Map<Long, Long> originAt) throws Exception {
    List<Long> seqs = RelayRig.sequences(origin).stream().filter(q -> !originAt.containsKey(q)).toList();
    for (Map.Entry<Long, SegmentStatus> e : RelayRig.statuses(origin, seqs).entrySet()) {
      if (e.getValue().complete()) {
        originAt.put(e.getKey(), e.getValue().completeAtMillis());
      }
    }
  }

  /** Depth of {@code node} at a moment, following reported parents up to the origin (-1 if the chain breaks). */
  private static int depthAt(String node, long atMillis, Map<String, HostProcess> byId, String originId) {
    int depth = 0;
    String at = node;
    while (depth <= 64) {
      if (originId.equals(at)) {
        return depth;
      }
      HostProcess h = byId.get(at);
      if (h == null) {
        return -1;
      }
      at = h.log.parentAt(atMillis);
      if (at == null) {
        return -1;
      }
      depth++;
    }
    return -1;
  }

  private void summarise(Report report, List<HostProcess> hosts, List<Kill> kills, Map<Long, Long> originAt,
                         String originId, int segmentBytes, long windowStart, long windowEnd, double originSent) {
    ObjectNode figures = report.figures();
    Map<String, HostProcess> byId = new HashMap<>();
    for (HostProcess h : hosts) {
      if (h.log.nodeId() != null) {
        byId.put(h.log.nodeId(), h);
      }
    }
    // Latency by depth and continuity: every (relay, segment) the relay should have played.
    Map<Integer, Histogram> byDepth = new TreeMap<>();
    long due = 0;
    long onTime = 0;
    long missing = 0;
    int maxDepth = 0;
    for (HostProcess h : hosts) {
      long first = h.log.firstSegmentAtMillis();
      if (h.log.nodeId() == null || first < 0) {
        continue;
      }
      Map<Long, Long> segs = h.log.segments();
      long last = h.killedAtMillis() < 0 ? windowEnd : Math.min(windowEnd, h.killedAtMillis());
      for (Map.Entry<Long, Long> o : originAt.entrySet()) {
        long published = o.getValue();
        if (published < windowStart || published < first || published + playbackDelayMs > last) {
          continue; // before the window or its start, or due after it was killed or the window ended
        }
        due++;
        Long complete = segs.get(o.getKey());
        if (complete == null) {
          missing++;
          continue;
        }
        if (complete <= published + playbackDelayMs) {
          onTime++;
        }
        int depth = depthAt(h.log.nodeId(), complete, byId, originId);
        maxDepth = Math.max(maxDepth, depth);
        byDepth.computeIfAbsent(depth, d -> Latency.histogram()).recordValue(Math.max(0, complete - published) * 1_000_000);
      }
    }
    ArrayNode lat = figures.putArray("latencyByDepth");
    for (Map.Entry<Integer, Histogram> e : byDepth.entrySet()) {
      ObjectNode row = lat.addObject();
      row.put("depth", e.getKey());
      row.setAll(Latency.summary(e.getValue(), Latency.Unit.MILLIS));
    }
    figures.put("segmentsDue", due);
    figures.put("segmentsOnTime", onTime);
    figures.put("segmentsNeverComplete", missing);
    figures.put("stalls", due - onTime);
    double continuity = due == 0 ? Double.NaN : Math.round((double) onTime / due * 100_000) / 100_000.0;
    figures.put("continuity", continuity);
    figures.put("maxDepth", maxDepth);

    // Repair: each child of a killed relay, from the kill to the first bytes from its next parent.
    Histogram repair = Latency.histogram();
    Histogram relink = Latency.histogram();
    int unrepaired = 0;
    ArrayNode repairs = figures.putArray("repairs");
    for (Kill k : kills) {
      for (String child : k.children()) {
        HostProcess h = byId.get(child);
        long flowAt = -1;
        long linkAt = -1;
        for (HostLog.Change c : h.log.flows()) {
          if (c.atMillis() >= k.atMillis() && !k.nodeId().equals(c.parent())) {
            flowAt = c.atMillis();
            break;
          }
        }
        for (HostLog.Change c : h.log.parents()) {
          if (c.atMillis() >= k.atMillis() && c.parent() != null && !k.nodeId().equals(c.parent())) {
            linkAt = c.atMillis();
            break;
          }
        }
        ObjectNode r = repairs.addObject();
        r.put("killed", k.nodeId());
        r.put("child", child);
        boolean childDied = h.killedAtMillis() >= 0 && (flowAt < 0 || h.killedAtMillis() < flowAt);
        if (flowAt >= 0) {
          repair.recordValue((flowAt - k.atMillis()) * 1_000_000);
          r.put("dataFlowingAfterMs", flowAt - k.atMillis());
        } else if (!childDied) {
          unrepaired++;
        }
        if (linkAt >= 0) {
          relink.recordValue((linkAt - k.atMillis()) * 1_000_000);
          r.put("newParentLinkedAfterMs", linkAt - k.atMillis());
        }
      }
    }
    figures.put("kills", kills.size());
    figures.put("orphans", kills.stream().mapToInt(k -> k.children().size()).sum());
    figures.put("orphansNotRepairedInWindow", unrepaired);
    figures.set("repairMs", Latency.summary(repair, Latency.Unit.MILLIS));
    figures.set("relinkMs", Latency.summary(relink, Latency.Unit.MILLIS));
    if (repair.getTotalCount() > 0) {
      figures.put("repairP50Ms", Latency.at(repair, 50, Latency.Unit.MILLIS));
      figures.put("repairP95Ms", Latency.at(repair, 95, Latency.Unit.MILLIS));
      figures.put("repairMaxMs", Math.round(repair.getMaxValue() / 1e5) / 10.0);
    }

    // Bytes: fallback share, and the origin's egress against one copy of the stream.
    long fromParent = 0;
    long fallback = 0;
    ArrayNode perRelay = figures.putArray("relayBytes");
    for (HostProcess h : hosts) {
      long[] a = h.log.bytesAt(windowStart);
      long[] b = h.log.bytesAt(windowEnd);
      fromParent += b[0] - a[0];
      fallback += b[1] - a[1];
      perRelay.addObject().put("node", h.log.nodeId()).put("depthAtEnd", depthAt(h.log.nodeId(), windowEnd, byId, originId))
          .put("killed", h.killedAtMillis() >= 0).put("fromParent", b[0] - a[0]).put("fallback", b[1] - a[1]);
    }
    long produced = originAt.keySet().stream().filter(q -> {
      long t = originAt.get(q);
      return t >= windowStart && t < windowEnd;
    }).count();
    double oneCopy = (double) produced * segmentBytes;
    figures.put("fallbackShare", fromParent + fallback == 0 ? Double.NaN
        : Math.round((double) fallback / (fromParent + fallback) * 100_000) / 100_000.0);
    figures.put("originDataChannelBytes", Math.round(originSent));
    figures.put("fallbackBytesFromOrigin", fallback);
    figures.put("segmentsProducedInWindow", produced);
    double ratio = oneCopy == 0 ? Double.NaN : Math.round((originSent + fallback) / oneCopy * 100) / 100.0;
    figures.put("originEgressRatio", ratio);
    figures.put("offload", fromParent + fallback == 0 ? Double.NaN
        : Math.round((1 - (originSent + fallback) / (double) (fromParent + fallback)) * 10_000) / 10_000.0);
    figures.put("viewers", relays);

    List<Long> joins = new ArrayList<>();
    for (HostProcess h : hosts) {
      if (h.log.firstSegmentAtMillis() > 0) {
        joins.add(h.log.firstSegmentAtMillis() - h.spawnedAtMillis);
      }
    }
    joins.sort(null);
    if (!joins.isEmpty()) {
      figures.put("spawnToFirstSegmentP50Ms", joins.get(joins.size() / 2));
      figures.put("spawnToFirstSegmentMaxMs", joins.get(joins.size() - 1));
    }

    report.target(Target.atMost("originEgressRatio (DataChannel + fallback)", Double.isNaN(ratio) ? 1e9 : ratio, 4.1, "× stream"));
    report.target(Target.atLeast("continuity", Double.isNaN(continuity) ? 0 : continuity, 0.999, ""));
    if (repair.getTotalCount() > 0) {
      report.target(Target.atMost("repair p95 (parent lost → data flowing)", Latency.at(repair, 95, Latency.Unit.MILLIS),
          1000, "ms"));
    }
    report.note("originEgressRatio divides by the segments' payload (a copy on the wire is ~0.1% more, see relay-egress)");
    report.note("a repair is counted per child of a killed relay that was linked to it at the kill; children killed "
        + "before their repair are left out");
  }

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    for (String k : List.of("viewers", "bitrateKbps", "originEgressRatio", "offload", "maxDepth", "continuity",
        "stalls", "repairP50Ms", "repairP95Ms")) {
      if (figures.has(k)) {
        common.set(k, figures.get(k));
      }
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    List<SvgChart> out = new ArrayList<>();
    JsonNode lat = figures.path("latencyByDepth");
    if (lat.size() > 0) {
      out.add(SvgChart.lines("Latency by depth: segment complete after the origin", "depth", "ms")
          .line("p50", Series.of(lat, "depth"), Series.of(lat, "p50Ms"))
          .line("p99", Series.of(lat, "depth"), Series.of(lat, "p99Ms"))
          .line("max", Series.of(lat, "depth"), Series.of(lat, "maxMs")));
    }
    JsonNode repairs = figures.path("repairs");
    List<Double> times = new ArrayList<>();
    for (JsonNode r : repairs) {
      if (r.has("dataFlowingAfterMs")) {
        times.add(r.get("dataFlowingAfterMs").asDouble());
      }
    }
    if (!times.isEmpty()) {
      times.sort(null);
      // The distribution as a histogram of 250 ms buckets.
      int buckets = (int) Math.min(40, Math.floor(times.get(times.size() - 1) / 250) + 1);
      double[] counts = new double[buckets];
      List<String> labels = new ArrayList<>();
      for (int b = 0; b < buckets; b++) {
        labels.add(SvgChart.format(b * 250.0) + "–");
      }
      for (double t : times) {
        counts[(int) Math.min(buckets - 1, Math.floor(t / 250))]++;
      }
      out.add(SvgChart.bars("Repair time distribution (parent lost → data flowing again)", "ms", "orphans", labels)
          .bar("orphans", counts));
    }
    if (figures.has("originEgressRatio")) {
      double n = figures.path("viewers").asDouble();
      out.add(SvgChart.bars("Origin egress at " + SvgChart.format(n) + " relays", "", "copies of the stream",
              List.of("Waterfall (measured)", "plain HLS (N copies)"))
          .bar("origin egress", new double[] {figures.path("originEgressRatio").asDouble(), n}));
    }
    return out;
  }
}

package dev.waterfall.loadtest.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.kit.relays.SyntheticSource;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.store.SegmentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Per-hop latency down a chain of Java relays (stream maxChildren 1: origin → booster 1 → … →
 * booster 6), all in this JVM so one clock times every store: a segment's hop d costs the time it
 * became complete at depth d minus the time it became complete at depth d-1 (SegmentStore's
 * completeAtMillis, ms resolution).
 */
@Command(
    name = "relay-hops",
    mixinStandardHelpOptions = true,
    description =
        "Per-hop latency from the origin down a chain of 6 Java relays over WebRTC (run through ./waterfall: it makes the network namespace).")
public final class RelayHopsScenario extends Scenario {
  @Option(
      names = "--depth",
      defaultValue = "6",
      description = "Boosters in the chain (default ${DEFAULT-VALUE}).")
  int depth;

  @Setting("bitrateKbps")
  @Option(
      names = "--bitrates",
      split = ",",
      defaultValue = "1500,6000",
      description = "Stream bitrates in kbps, one chain each (default ${DEFAULT-VALUE}).")
  List<Integer> bitrates;

  @Option(
      names = "--segment-ms",
      defaultValue = "2000",
      description = "Segment duration (default ${DEFAULT-VALUE}).")
  int segmentMs;

  @Setting("measuredSecondsPerBitrate")
  @Option(
      names = "--seconds",
      defaultValue = "40",
      description = "Measured stream time per bitrate, after warm-up (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup-segments",
      defaultValue = "4",
      description =
          "Segments through the whole chain before measuring (JIT, link set-up) (default ${DEFAULT-VALUE}).")
  int warmupSegments;

  @Setting(recorded = false)
  @Option(
      names = "--shared-webrtc",
      description = "One libwebrtc factory (threads) for all relays instead of one each.")
  boolean sharedWebrtc;

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the relays' INFO logs.")
  boolean verbose;

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    if (figures.has("relays")) {
      common.put("viewers", figures.path("relays").asInt() - 1); // boosters below the origin
      common.put("maxDepth", figures.path("relays").asInt() - 1); // a chain
    }
    if (figures.path("bitrateKbps").size() > 0) {
      common.set("bitrateKbps", figures.path("bitrateKbps").get(0));
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    JsonNode atDepth = figures.path("segmentAtDepthMs");
    JsonNode perHop = figures.path("perHopLatency");
    JsonNode firstChunk = figures.path("perHopFirstChunkMs");
    SvgChart latency =
        SvgChart.lines("Latency by depth: segment complete after the origin", "depth", "ms");
    List<String> hops = List.of();
    for (String kbps : Series.keys(atDepth)) {
      List<String> depths = Series.keys(atDepth.path(kbps));
      hops = depths.size() > hops.size() ? depths : hops;
      latency.line(
          kbps + " kbps p50",
          Series.numbers(depths),
          Series.byKey(atDepth.path(kbps), depths, "p50Ms"));
      latency.line(
          kbps + " kbps p95",
          Series.numbers(depths),
          Series.byKey(atDepth.path(kbps), depths, "p95Ms"));
    }
    SvgChart hop = SvgChart.bars("Per-hop latency, p50", "hop (depth)", "ms", hops);
    for (String kbps : Series.keys(perHop)) {
      hop.bar(kbps + " kbps, segment complete", Series.byKey(perHop.path(kbps), hops, "p50Ms"));
      hop.bar(kbps + " kbps, first chunk", Series.byKey(firstChunk.path(kbps), hops, "p50Ms"));
    }
    return List.of(latency, hop);
  }

  @Override
  protected String name() {
    return "relay-hops";
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode settings = report.settings();
    settings.put(
        "webrtcFactory",
        sharedWebrtc ? "one shared by all relays" : "one per relay (own native threads)");
    settings.put(
        "topology",
        "chain: stream maxChildren 1, origin + " + depth + " boosters, one JVM, one clock");
    settings.put(
        "clock",
        "SegmentStore.status(seq).completeAtMillis / firstChunkAtMillis (epoch ms, one JVM)");
    ObjectNode figures = report.figures();
    figures.put("relays", depth + 1);
    figures.putPOJO("bitrateKbps", bitrates);
    ObjectNode perHop = figures.putObject("perHopLatency");
    ObjectNode atDepth = figures.putObject("segmentAtDepthMs");
    ObjectNode firstChunk = figures.putObject("perHopFirstChunkMs");
    ObjectNode detail = figures.putObject("byBitrate");
    for (int kbps : bitrates) {
      if (deadline.passed()) {
        report.incomplete("time budget spent before the " + kbps + " kbps chain");
        break;
      }
      ObjectNode b = detail.putObject(Integer.toString(kbps));
      chain(kbps, b, deadline, progress, report);
      perHop.set(Integer.toString(kbps), b.get("perHopCompleteMs"));
      atDepth.set(Integer.toString(kbps), b.get("segmentAtDepthMs"));
      firstChunk.set(Integer.toString(kbps), b.get("perHopFirstChunkMs"));
    }
  }

  private void chain(int kbps, ObjectNode out, Deadline deadline, Progress progress, Report report)
      throws Exception {
    String stream = "hops-" + kbps;
    progress.phase(kbps + " kbps: chain of " + depth, depth);
    try (RelayRig rig = new RelayRig(!sharedWebrtc, verbose)) {
      String key = rig.createStream(stream, 1, kbps);
      SyntheticSource source =
          new SyntheticSource(kbps, segmentMs, System.currentTimeMillis() / segmentMs, kbps);
      out.put("segmentBytes", source.bytesPerSegment());
      out.put("chunksPerSegment", (source.bytesPerSegment() + 65535) / 65536);
      List<Relay> chain = new ArrayList<>();
      chain.add(rig.origin(stream, key, source));
      for (int i = 0; i < depth; i++) {
        chain.add(rig.booster(stream, false));
        progress.step();
      }
      // Every booster must hang under the previous one: otherwise the depths are not what we
      // report.
      long until = System.currentTimeMillis() + 30_000;
      while (!linked(chain) && System.currentTimeMillis() < until) {
        Thread.sleep(100);
      }
      if (!linked(chain)) {
        throw new IllegalStateException("the chain did not link up in 30 s");
      }
      Relay origin = chain.get(0);
      Relay deepest = chain.get(depth);
      progress.phase(kbps + " kbps: warm-up", warmupSegments);
      long firstWarm = -1;
      until = System.currentTimeMillis() + (long) (warmupSegments + 10) * segmentMs;
      while (System.currentTimeMillis() < until) {
        var newest = RelayRig.newest(deepest);
        if (newest.isPresent()) {
          if (firstWarm < 0) {
            firstWarm = newest.get();
          }
          progress.extra("depth " + depth + " holds seg " + newest.get());
          if (newest.get() - firstWarm >= warmupSegments) {
            break;
          }
        }
        Thread.sleep(100);
      }
      long start = RelayRig.newest(origin).orElse(0L) + 1;
      int segments = Math.max(1, seconds * 1000 / segmentMs);
      progress.phase(kbps + " kbps: measuring", segments);
      long end = start + segments - 1;
      // Stores keep ~30 s: collect each segment's timestamps while the stream runs, not at the end.
      Map<Long, List<SegmentStatus>> collected = new java.util.TreeMap<>();
      long[] udpBefore = UdpCounters.read();
      long seen = start - 1;
      while (seen < end && !deadline.passed()) {
        long now = RelayRig.newest(origin).orElse(0L);
        if (now > seen) {
          progress.add(Math.min(now, end) - seen);
          seen = now;
        }
        collect(chain, start, Math.min(end, now - 2), collected);
        Thread.sleep(segmentMs / 4);
      }
      end = Math.min(end, RelayRig.newest(origin).orElse(start));
      if (deadline.passed()) {
        report.incomplete(
            kbps
                + " kbps: time budget spent while measuring; kept "
                + (end - start + 1)
                + " segments");
      }
      Thread.sleep(Math.min(3000, segmentMs + 1000)); // let the last one reach the bottom
      collect(chain, start, end, collected);
      long[] udpAfter = UdpCounters.read();
      out.set("udpCounters", UdpCounters.delta(udpBefore, udpAfter));
      List<Long> seqs = LongStream.rangeClosed(start, end).boxed().toList();
      List<Map<Long, SegmentStatus>> byDepth = new ArrayList<>();
      for (int d = 0; d < chain.size(); d++) {
        Map<Long, SegmentStatus> m = new java.util.HashMap<>();
        for (var e : collected.entrySet()) {
          if (e.getValue().get(d) != null) {
            m.put(e.getKey(), e.getValue().get(d));
          }
        }
        byDepth.add(m);
      }
      HopStats complete = new HopStats(times(seqs, byDepth, SegmentStatus::completeAtMillis));
      HopStats first = new HopStats(times(seqs, byDepth, SegmentStatus::firstChunkAtMillis));
      HopStats header = new HopStats(times(seqs, byDepth, SegmentStatus::headerAtMillis));
      out.put("segmentsMeasured", seqs.size());
      out.put("segmentsCompleteAtEveryDepth", complete.completeEverywhere());
      out.set("perHopCompleteMs", complete.hops());
      out.set("perHopFirstChunkMs", first.hops());
      out.set("perHopHeaderMs", header.hops());
      out.set("segmentAtDepthMs", complete.fromOrigin());
      long fallback = 0;
      long fromParent = 0;
      for (Relay r : chain.subList(1, chain.size())) {
        fallback += r.node().bytesByFallback();
        fromParent += r.node().bytesFromParent();
      }
      out.put("fallbackBytesAllBoosters", fallback);
      out.put("bytesFromParentAllBoosters", fromParent);
      double worst = complete.worstHopP50();
      double deepP50 = HopStats.percentile(complete.fromOrigin(depth), 50);
      double deepP95 = HopStats.percentile(complete.fromOrigin(depth), 95);
      report.target(
          Target.atMost(
              kbps + " kbps: worst per-hop p50 (segment complete)", nan(worst), 10, "ms"));
      report.target(
          Target.atMost(
              kbps + " kbps: segment complete at depth " + depth + " p50",
              nan(deepP50),
              300,
              "ms"));
      report.target(
          Target.atMost(
              kbps + " kbps: segment complete at depth " + depth + " p95",
              nan(deepP95),
              300,
              "ms"));
      if (complete.completeEverywhere() < seqs.size()) {
        report.note(
            kbps
                + " kbps: "
                + (seqs.size() - complete.completeEverywhere())
                + " of "
                + seqs.size()
                + " measured segments were not complete at every depth");
      }
    }
  }

  /** Reads every relay's status of the segments in [from, to] not yet complete everywhere. */
  private static void collect(
      List<Relay> chain, long from, long to, Map<Long, List<SegmentStatus>> into) throws Exception {
    List<Long> want =
        LongStream.rangeClosed(from, to)
            .boxed()
            .filter(
                s ->
                    !into.containsKey(s)
                        || into.get(s).stream().anyMatch(st -> st == null || !st.complete()))
            .toList();
    if (want.isEmpty()) {
      return;
    }
    List<Map<Long, SegmentStatus>> now = new ArrayList<>();
    for (Relay r : chain) {
      now.add(RelayRig.statuses(r, want));
    }
    for (Long s : want) {
      List<SegmentStatus> row = new ArrayList<>();
      List<SegmentStatus> old = into.get(s);
      for (int d = 0; d < chain.size(); d++) {
        SegmentStatus st = now.get(d).get(s);
        row.add(st != null ? st : old == null ? null : old.get(d));
      }
      into.put(s, row);
    }
  }

  private static double nan(double v) {
    return Double.isNaN(v) ? Double.MAX_VALUE : v;
  }

  private boolean linked(List<Relay> chain) {
    for (int i = 1; i < chain.size(); i++) {
      String parent = chain.get(i).node().parentId();
      if (parent == null || !parent.equals(chain.get(i - 1).node().nodeId())) {
        return false;
      }
    }
    return true;
  }

  private static long[][] times(
      List<Long> seqs,
      List<Map<Long, SegmentStatus>> byDepth,
      ToLongFunction<SegmentStatus> stage) {
    long[][] t = new long[seqs.size()][byDepth.size()];
    for (int i = 0; i < seqs.size(); i++) {
      for (int d = 0; d < byDepth.size(); d++) {
        SegmentStatus s = byDepth.get(d).get(seqs.get(i));
        t[i][d] = s == null ? -1 : stage.applyAsLong(s);
      }
    }
    return t;
  }
}

package dev.waterfall.loadtest.relaytree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.kit.relays.SyntheticSource;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.loadtest.run.StreamOptions;
import dev.waterfall.relay.Relay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code relay-tree}: the real origin (in this JVM, with the coordinator) and N boosters, each in a
 * JVM of its own, carrying a synthetic stream through the tree while relays crash (SIGKILL) and new
 * ones join at a churn rate. From what every relay reports: latency by depth, continuity (share of
 * segments each relay held complete before its playback deadline), stalls, fallback share, origin
 * egress, and repair time (parent lost → bytes flowing from the new parent). The run is {@link
 * ChurnRun}; the figures come from {@link DeliveryFigures}, {@link RepairFigures} and {@link
 * EgressFigures}.
 */
@Command(
    name = "relay-tree",
    mixinStandardHelpOptions = true,
    description =
        "Origin + N booster JVMs with crashes and joins at a churn rate (run through ./waterfall: it makes the network namespace).")
public final class RelayTreeScenario extends Scenario {
  @Option(
      names = "--relays",
      defaultValue = "12",
      description = "Boosters, one JVM each (default ${DEFAULT-VALUE}).")
  int relays;

  @Option(
      names = "--seconds",
      defaultValue = "120",
      description = "Measured window with churn (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--churn-per-minute",
      defaultValue = "0.1",
      description =
          "Share of the relays killed (and replaced by new ones) per minute (default ${DEFAULT-VALUE}).")
  double churnPerMinute;

  @Option(
      names = "--playback-delay-ms",
      defaultValue = "6000",
      description =
          "A segment is due this long after the origin has it (3 segments, as an hls.js player "
              + "starting 3 behind the live edge) (default ${DEFAULT-VALUE}).")
  long playbackDelayMs;

  @Mixin StreamOptions feed;

  @Option(
      names = "--max-children",
      defaultValue = "4",
      description = "Fan-out (default ${DEFAULT-VALUE}).")
  int maxChildren;

  @Option(
      names = "--host-jvm-args",
      split = " ",
      defaultValue = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
      description =
          "JVM flags of each booster's JVM (default ${DEFAULT-VALUE}: small, so a dozen fit on 2 cores).")
  List<String> hostJvmArgs;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Which relays are killed (default ${DEFAULT-VALUE}).")
  long seed;

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the origin's and coordinator's INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "relay-tree";
  }

  @Override
  protected void validate() {
    if (relays < 1
        || relays > 64
        || seconds < 10
        || churnPerMinute < 0
        || churnPerMinute > 5
        || feed.kbps < 1
        || feed.segmentMs < 100
        || playbackDelayMs < 0
        || maxChildren < 1) {
      throw new IllegalArgumentException(
          "need 1 <= --relays <= 64, --seconds >= 10, 0 <= --churn-per-minute <= 5, "
              + "--bitrate >= 1, --segment-ms >= 100, --playback-delay-ms >= 0, --max-children >= 1");
    }
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode s = report.settings();
    s.put(
        "topology",
        "coordinator + origin in this JVM; each booster a JVM of its own (RelayHost), no HLS server "
            + "(fallback only from the origin); a kill is SIGKILL of a booster's JVM, followed at once by a new booster");
    ObjectNode figures = report.figures();
    figures.put("bitrateKbps", feed.kbps);
    Path logDir = ReportDir.locate(common.reportsDir);
    Files.createDirectories(logDir);
    Path log = logDir.resolve("relay-tree-hosts.log");
    Files.deleteIfExists(log);
    String stream = "tree";
    try (RelayRig rig = new RelayRig(false, verbose)) {
      String key = rig.createStream(stream, maxChildren, feed.kbps);
      SyntheticSource source =
          new SyntheticSource(
              feed.kbps, feed.segmentMs, System.currentTimeMillis() / feed.segmentMs, 13);
      figures.put("segmentBytes", source.bytesPerSegment());
      Relay origin = rig.origin(stream, key, source);
      ChurnRun run = new ChurnRun(rig, stream, origin, hostJvmArgs, log, feed.segmentMs);
      Window window;
      try {
        window =
            run.run(relays, seconds, churnPerMinute, seed, playbackDelayMs, progress, deadline);
      } finally {
        run.destroy();
      }
      summarise(report, run.hosts, window, origin.node().nodeId(), source.bytesPerSegment());
    }
  }

  private void summarise(
      Report report, List<HostProcess> hosts, Window window, String originId, int segmentBytes) {
    ObjectNode figures = report.figures();
    Topology topology = new Topology(hosts, originId);
    double continuity = DeliveryFigures.put(figures, hosts, topology, window, playbackDelayMs);
    Histogram repair = RepairFigures.put(figures, hosts, topology, window.kills());
    double ratio = EgressFigures.put(figures, hosts, topology, window, segmentBytes);
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

    report.target(
        Target.atMost(
            "originEgressRatio (DataChannel + fallback)",
            Double.isNaN(ratio) ? 1e9 : ratio,
            4.1,
            "× stream"));
    report.target(
        Target.atLeast("continuity", Double.isNaN(continuity) ? 0 : continuity, 0.999, ""));
    if (repair.getTotalCount() > 0) {
      report.target(
          Target.atMost(
              "repair p95 (parent lost → data flowing)",
              Latency.at(repair, 95, Latency.Unit.MILLIS),
              1000,
              "ms"));
    }
    report.note(
        "originEgressRatio divides by the segments' payload (a copy on the wire is ~0.1% more, see relay-egress)");
    report.note(
        "a repair is counted per child of a killed relay that was linked to it at the kill; children killed "
            + "before their repair are left out");
    report.note(
        "leafMoves: relays linked elsewhere at a kill that moved under the killed relay's parent within "
            + RepairFigures.LEAF_WINDOW_MS
            + " ms (leaf-swap's leaf taking its place), timed kill → first bytes from there");
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    return RelayTreeReport.charts(figures);
  }
}

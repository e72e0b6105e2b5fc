package dev.waterfall.loadtest.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.loadtest.run.StreamOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code failover}: three coordinator processes in one Hazelcast cluster; simulated signalling
 * nodes (heart-beating, a trickle of new joins going on) and a real origin with booster JVMs
 * carrying a stream, spread over the three. Under that load the coordinator holding the most
 * sockets is SIGKILLed; its clients resume on the survivors with their resume tokens. Measured:
 * tree entries before/after (lost must be 0), places changed, resume time, joins on the survivors
 * during the failover against before, the relays' continuity through it, and the killed
 * coordinator's restart until it serves again in a cluster of three. The run's phases are {@link
 * FailoverRun}'s.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description =
        "Kill -9 one of 3 clustered coordinators under load: nothing lost, resume time, joins, relay "
            + "continuity, rejoin (run through ./waterfall: it makes the network namespace).")
public final class FailoverScenario extends Scenario {
  static final int COORDINATORS = 3;
  static final String STREAM = "failover";

  /** The coordinator's liveness.resumeGraceMs default (waterfall-defaults.properties). */
  static final long DEFAULT_RESUME_GRACE_MS = 15_000;

  @Option(
      names = "--nodes",
      defaultValue = "3000",
      description = "Simulated signalling nodes joined first (default ${DEFAULT-VALUE}).")
  int nodes;

  @Setting("joinRatePerSecond")
  @Option(
      names = "--join-rate",
      defaultValue = "20",
      description = "New nodes joining per second throughout (default ${DEFAULT-VALUE}).")
  double joinRate;

  @Option(
      names = "--relays",
      defaultValue = "3",
      description = "Booster JVMs carrying the stream (default ${DEFAULT-VALUE}).")
  int relays;

  @Option(
      names = "--before-seconds",
      defaultValue = "20",
      description = "Measured before the kill (default ${DEFAULT-VALUE}).")
  int beforeSeconds;

  @Option(
      names = "--failover-seconds",
      defaultValue = "30",
      description =
          "Kill → restart; longer than the coordinators' resume grace (liveness.resumeGraceMs, 15 s), so "
              + "a node that failed to resume would have been swept by then (default ${DEFAULT-VALUE}).")
  int failoverSeconds;

  @Option(
      names = "--after-seconds",
      defaultValue = "15",
      description = "Measured after the restarted coordinator serves (default ${DEFAULT-VALUE}).")
  int afterSeconds;

  @Setting(recorded = false)
  @Option(
      names = "--concurrency",
      defaultValue = "64",
      description =
          "Joins in flight at most while the first nodes join (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Mixin StreamOptions feed;

  @Option(
      names = "--playback-delay-ms",
      defaultValue = "6000",
      description =
          "A segment is due this long after the origin has it (as relay-tree) (default ${DEFAULT-VALUE}).")
  long playbackDelayMs;

  @Option(
      names = "--host-jvm-args",
      split = " ",
      defaultValue = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
      description = "JVM flags of each booster's JVM (default ${DEFAULT-VALUE}).")
  List<String> hostJvmArgs;

  @Setting(recorded = false)
  @Option(
      names = "--coordinator-jar",
      paramLabel = "JAR",
      description =
          "Coordinator to run (default: tree-coordinator/server/target/waterfall-coordinator.jar, else this jar's classes).")
  Path coordinatorJar;

  @Option(
      names = "--coordinator-heap",
      defaultValue = "1g",
      description = "Each coordinator's -Xmx (default ${DEFAULT-VALUE}).")
  String coordinatorHeap;

  @Setting(recorded = false)
  @Option(
      names = "--cluster-port",
      defaultValue = "17201",
      description = "First Hazelcast port; member i gets this + i (default ${DEFAULT-VALUE}).")
  int clusterPort;

  @Setting("coordinatorSettings")
  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Passed to every coordinator as --set KEY=VALUE.")
  List<String> coordinatorSettings = new ArrayList<>();

  @Setting(recorded = false)
  @Option(
      names = "--coordinator-jvm-arg",
      paramLabel = "ARG",
      description = "Extra JVM flag for the coordinators (repeatable).")
  List<String> coordinatorJvmArgs = new ArrayList<>();

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the origin's INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "failover";
  }

  @Override
  protected void validate() {
    if (nodes < 1
        || nodes > 15_000
        || joinRate < 0
        || joinRate > 500
        || relays < 0
        || relays > 16
        || beforeSeconds < 5
        || failoverSeconds < 5
        || afterSeconds < 5
        || concurrency < 1
        || feed.kbps < 1
        || feed.segmentMs < 100
        || playbackDelayMs < 0) {
      throw new IllegalArgumentException(
          "need 1 <= --nodes <= 15000, 0 <= --join-rate <= 500, 0 <= --relays <= 16, "
              + "--before-seconds, --failover-seconds, --after-seconds >= 5, --concurrency >= 1, --bitrate >= 1, "
              + "--segment-ms >= 100, --playback-delay-ms >= 0");
    }
    if (failoverSeconds * 1000L <= resumeGraceMs() + 2000) {
      throw new IllegalArgumentException(
          "--failover-seconds must exceed the resume grace ("
              + resumeGraceMs()
              + " ms) by 2 s, so the sweep of places not resumed has run before the tree is compared");
    }
  }

  /** liveness.resumeGraceMs as given with --set, else the coordinator's default. */
  long resumeGraceMs() {
    for (String kv : coordinatorSettings) {
      if (kv.startsWith("liveness.resumeGraceMs=")) {
        try {
          return Long.parseLong(kv.substring(kv.indexOf('=') + 1).trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--set " + kv + ": not a number");
        }
      }
    }
    return DEFAULT_RESUME_GRACE_MS;
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode s = report.settings();
    s.put("coordinators", COORDINATORS);
    s.put("resumeGraceMs", resumeGraceMs());
    s.put(
        "topology",
        "3 coordinator JVMs (one Hazelcast cluster), this JVM: the simulated nodes (node i on "
            + "coordinator i mod 3, the others next in its list) and the origin (coordinator 1 first); booster JVM i on "
            + "coordinator (i+1) mod 3 first; all inside one network namespace");
    report.note(
        "everything shares this machine's "
            + Runtime.getRuntime().availableProcessors()
            + " cores: three "
            + "coordinators, the booster JVMs, the origin and the simulated clients");
    if (!verbose) {
      RelayRig.quiet();
    }
    Path dir = ReportDir.locate(common.reportsDir);
    Files.createDirectories(dir);
    try (FailoverRun run = new FailoverRun(this, report, dir, deadline, progress)) {
      run.setUp();
      run.steadyState();
      run.kill();
      run.restart();
      run.figures();
      if (deadline.passed()) {
        report.incomplete("time budget of " + common.maxSeconds + " s spent");
      }
    }
  }

  /** The URL list with {@code first} first and the others after it in turn. */
  static List<String> rotated(List<String> urls, int first) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      out.add(urls.get((first + i) % urls.size()));
    }
    return out;
  }

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    super.headline(figures, common);
    JsonNode failover = figures.path("joins").path("failover");
    if (failover.has("joinsPerSecond")) {
      common.set("joinsPerSecond", failover.get("joinsPerSecond"));
      common.set("joinP99Ms", failover.path("joinToWelcome").get("p99Ms"));
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    List<SvgChart> out = new ArrayList<>();
    List<Double> times = new ArrayList<>();
    figures.path("failover").path("resumeMsEach").forEach(t -> times.add(t.asDouble()));
    if (!times.isEmpty()) {
      times.sort(null);
      double max = times.get(times.size() - 1);
      // ≤ 20 buckets of a multiple of 50 ms
      double width = Math.max(50, Math.ceil(max / 20 / 50) * 50);
      int buckets = (int) Math.floor(max / width) + 1;
      double[] counts = new double[buckets];
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < buckets; i++) {
        labels.add(SvgChart.format(i * width) + "–");
      }
      for (double t : times) {
        counts[(int) Math.min(buckets - 1, Math.floor(t / width))]++;
      }
      out.add(
          SvgChart.bars(
                  "Resume time (socket dropped by the kill → resumed welcome on a survivor)",
                  "ms",
                  "nodes",
                  labels)
              .bar("nodes", counts));
    }
    JsonNode timeline = figures.path("joins").path("timeline");
    if (timeline.size() > 0) {
      double[] y = Series.of(timeline, "joins");
      double top = 1;
      for (double v : y) {
        top = Math.max(top, v);
      }
      JsonNode j = figures.path("joins");
      SvgChart chart =
          SvgChart.lines(
                  "Joins welcomed per second (trickle), 0 = kill -9",
                  "seconds from the kill",
                  "joins/s")
              .line("joins/s", Series.of(timeline, "secondsFromKill"), y)
              .line("kill", new double[] {0, 0}, new double[] {0, top});
      if (j.has("servingAtSecondsFromKill")) {
        double at = j.get("servingAtSecondsFromKill").asDouble();
        chart.line("restarted coordinator serving", new double[] {at, at}, new double[] {0, top});
      }
      out.add(chart);
    }
    return out;
  }
}

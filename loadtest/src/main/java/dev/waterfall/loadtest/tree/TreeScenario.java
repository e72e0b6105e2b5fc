package dev.waterfall.loadtest.tree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.tree.RepairStrategies;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The pure tree inside the Hazelcast entry processor: how fast one member places, removes and
 * repairs, with no network and no WebSocket in the way. Everything runs in this JVM against one
 * embedded member.
 */
@Command(
    name = "tree",
    mixinStandardHelpOptions = true,
    description =
        "Joins, depth-1 removals and churn through the coordinator's entry processors on one embedded Hazelcast member.")
public final class TreeScenario extends Scenario {
  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "10000,100000",
      description = "Tree sizes to time joins at (default ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(
      names = "--warmup",
      defaultValue = "20000",
      description = "Joins into a throwaway stream first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--threads",
      defaultValue = "4",
      description = "Callers in the concurrent variant (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--removal-size",
      defaultValue = "100000",
      description = "Tree size for removals (default ${DEFAULT-VALUE}).")
  int removalSize;

  @Setting("removalsPerStrategy")
  @Option(
      names = "--removals",
      defaultValue = "4",
      description = "Depth-1 removals per strategy (default ${DEFAULT-VALUE}).")
  int removals;

  @Option(
      names = "--churn-size",
      defaultValue = "100000",
      description = "Tree size for churn (default ${DEFAULT-VALUE}).")
  int churnSize;

  @Option(
      names = "--churn-ops",
      defaultValue = "20000",
      description = "Mixed remove/join ops (default ${DEFAULT-VALUE}).")
  int churnOps;

  @Setting("churnStrategy")
  @Option(
      names = "--strategy",
      defaultValue = "leaf-swap",
      description = "Repair strategy for churn (default ${DEFAULT-VALUE}).")
  String strategy;

  @Option(
      names = "--max-children",
      defaultValue = "4",
      description = "Fan-out (default ${DEFAULT-VALUE}).")
  int maxChildren;

  @Setting(recorded = false)
  @Option(
      names = "--cluster-port",
      defaultValue = "17001",
      description = "First Hazelcast port (default ${DEFAULT-VALUE}).")
  int clusterPort;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Churn's random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Setting(recorded = false)
  @Option(
      names = "--bare",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Also time the bare StreamTree, no Hazelcast (default ${DEFAULT-VALUE}).")
  boolean bare;

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    JsonNode seq = figures.path("sequentialJoins");
    List<String> sizes = Series.keys(seq);
    if (!sizes.isEmpty()) {
      JsonNode largest = seq.path(sizes.get(sizes.size() - 1));
      common.put("viewers", Integer.parseInt(sizes.get(sizes.size() - 1)));
      common.set("joinsPerSecond", largest.get("joinsPerSecond"));
      common.put("joinP99Ms", largest.path("latency").path("p99Us").asDouble() / 1000);
      common.set("maxDepth", largest.get("maxDepth"));
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    List<String> labels = new java.util.ArrayList<>();
    List<double[]> pct = new java.util.ArrayList<>();
    String[][] phases = {
      {"sequentialJoins", "1 caller"},
      {"concurrentJoinsOneStream", "4 on one stream"},
      {"concurrentJoinsSeparateStreams", "4 on 4 streams"}
    };
    for (String[] phase : phases) {
      JsonNode p = figures.path(phase[0]);
      for (String size : Series.keys(p)) {
        labels.add(SvgChart.format(Double.parseDouble(size)) + ", " + phase[1]);
        JsonNode l = p.path(size).path("latency");
        pct.add(
            new double[] {
              l.path("p50Us").asDouble(), l.path("p99Us").asDouble(), l.path("p999Us").asDouble()
            });
      }
    }
    SvgChart joins =
        SvgChart.bars(
                "Join latency per call (Hazelcast entry processor)",
                "tree size, callers",
                "µs",
                labels)
            .logY();
    String[] names = {"p50", "p99", "p99.9"};
    for (int k = 0; k < names.length; k++) {
      double[] v = new double[pct.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = pct.get(i)[k];
      }
      joins.bar(names[k], v);
    }
    JsonNode removal = figures.path("depthOneRemoval");
    List<String> strategies =
        Series.keys(removal).stream().filter(k -> removal.path(k).has("removals")).toList();
    SvgChart repair =
        SvgChart.bars(
                "Repair time: removing a depth-1 node at "
                    + SvgChart.format(removal.path("treeSize").asDouble())
                    + " nodes",
                "repair strategy",
                "ms (each removal)",
                strategies)
            .logY();
    int most =
        strategies.stream().mapToInt(k -> removal.path(k).path("removals").size()).max().orElse(0);
    for (int i = 0; i < most; i++) {
      double[] v = new double[strategies.size()];
      for (int k = 0; k < v.length; k++) {
        JsonNode r = removal.path(strategies.get(k)).path("removals").path(i);
        v[k] = r.path("ms").isNumber() ? r.path("ms").asDouble() : Double.NaN;
      }
      repair.bar("removal " + (i + 1), v);
    }
    JsonNode churn = figures.path("churn");
    List<String> ops = List.of("join", "remove");
    SvgChart churnChart =
        SvgChart.bars("Churn: time per operation", "operation", "µs", ops)
            .logY()
            .bar("p50", Series.byKey(churn, ops, "p50Us"))
            .bar("p99", Series.byKey(churn, ops, "p99Us"))
            .bar("p99.9", Series.byKey(churn, ops, "p999Us"));
    return List.of(joins, repair, churnChart);
  }

  @Override
  protected String name() {
    return "tree";
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    RepairStrategies.byName(strategy); // fail fast on a typo, before minutes of building
    ObjectNode settings = report.settings();
    settings.put(
        "hazelcast",
        "one embedded member, loopback, OBJECT format, backup-count 1 (no backup member)");
    ObjectNode figures = report.figures();

    try (Member m =
        Member.start(clusterPort, "loadtest-tree-" + ProcessHandle.current().pid(), maxChildren)) {
      progress.phase("warm-up", warmup);
      m.create("warmup");
      HazelcastJoins.sequential(m, "warmup", "v", warmup, progress, deadline);
      m.drop("warmup");

      ObjectNode seq = figures.putObject("sequentialJoins");
      ObjectNode conc = figures.putObject("concurrentJoinsOneStream");
      ObjectNode sep = figures.putObject("concurrentJoinsSeparateStreams");
      int targetSize =
          sizes.contains(100_000) ? 100_000 : sizes.stream().max(Integer::compare).orElse(0);
      for (int n : sizes) {
        if (over(deadline, report, "joins at " + n)) {
          return;
        }
        System.gc();
        String stream = "seq-" + n;
        m.create(stream);
        progress.phase("joins " + n, n);
        JoinRun r = HazelcastJoins.sequential(m, stream, "v", n, progress, deadline);
        m.drop(stream);
        r.toJson(seq.putObject(Integer.toString(n)));
        if (n == targetSize) {
          report.target(
              Target.atLeast("sequential joins/s at " + n, r.perSecond(), 50_000, "joins/s"));
          report.target(
              Target.atMost(
                  "sequential join p99 at " + n,
                  Latency.at(r.latencies(), 99, Latency.Unit.MICROS),
                  1000,
                  "µs"));
        }

        System.gc();
        stream = "conc-" + n;
        m.create(stream);
        progress.phase("joins " + n + " x" + threads + " threads", n);
        HazelcastJoins.concurrent(m, stream, n, threads, false, progress, deadline)
            .toJson(conc.putObject(Integer.toString(n)))
            .put("threads", threads);
        m.drop(stream);

        System.gc();
        for (int t = 0; t < threads; t++) {
          m.create("sep-" + n + "-" + t);
        }
        progress.phase("joins " + n + " in " + threads + " streams", n);
        HazelcastJoins.concurrent(m, "sep-" + n, n, threads, true, progress, deadline)
            .toJson(sep.putObject(Integer.toString(n)))
            .put("threads", threads)
            .put("streams", threads);
        for (int t = 0; t < threads; t++) {
          m.drop("sep-" + n + "-" + t);
        }
      }

      if (over(deadline, report, "removals")) {
        return;
      }
      ObjectNode removal =
          Removals.run(m, RepairStrategies.names(), removalSize, removals, progress, deadline);
      figures.set("depthOneRemoval", removal);
      for (String s : RepairStrategies.names()) {
        if (removal.has(s) && removal.get(s).has("maxMs")) {
          report.target(
              Target.atMost(
                  "depth-1 removal at "
                      + removalSize
                      + " ("
                      + s
                      + ", max of "
                      + removal.get(s).get("removals").size()
                      + ")",
                  removal.get(s).get("maxMs").asDouble(),
                  50,
                  "ms"));
        }
      }

      if (over(deadline, report, "churn")) {
        return;
      }
      figures.set("churn", Churn.run(m, churnSize, churnOps, strategy, seed, progress, deadline));
    }

    if (bare) {
      if (over(deadline, report, "bare tree")) {
        return;
      }
      ObjectNode b = figures.putObject("bareStreamTree");
      b.set("sequentialJoins", BareTree.joins(sizes, maxChildren, warmup, progress, deadline));
      b.set(
          "depthOneRemoval",
          BareTree.removals(
              RepairStrategies.names(), maxChildren, removalSize, progress, deadline));
    }
    if (deadline.passed()) {
      report.incomplete(
          "time budget of " + common.maxSeconds + " s spent; later phases may be short");
    }
  }

  private boolean over(Deadline deadline, Report report, String phase) {
    if (deadline.passed()) {
      report.incomplete("time budget of " + common.maxSeconds + " s spent before " + phase);
      return true;
    }
    return false;
  }
}

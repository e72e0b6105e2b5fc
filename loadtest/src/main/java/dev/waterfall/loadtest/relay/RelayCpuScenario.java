package dev.waterfall.loadtest.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.BoosterProcess;
import dev.waterfall.loadtest.kit.processes.ProcStat;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * CPU of one booster forwarding a 6 Mbps stream to 4 children. The measured booster runs alone in a
 * child JVM ({@code waterfall boost}, exactly what a user runs) so its CPU is its process's utime +
 * stime from {@code /proc/<pid>/stat}: libwebrtc's native threads, the JVM's GC and JIT included.
 * The coordinator, origin, 3 filler boosters (the origin's other slots) and the 4 children run in
 * this JVM. Placement prefers the oldest booster with a free slot, so the measured booster, joining
 * first, takes all 4 children; checked, not assumed.
 */
@Command(
    name = "relay-cpu",
    mixinStandardHelpOptions = true,
    description =
        "CPU of one booster (its own JVM) forwarding a 6 Mbps stream to 4 children (run through ./waterfall: it makes the network namespace).")
public final class RelayCpuScenario extends Scenario {
  @Setting("bitrateKbps")
  @Option(
      names = "--bitrate",
      defaultValue = "6000",
      description = "Stream bitrate in kbps (default ${DEFAULT-VALUE}).")
  int kbps;

  @Option(
      names = "--segment-ms",
      defaultValue = "2000",
      description = "Segment duration (default ${DEFAULT-VALUE}).")
  int segmentMs;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "20",
      description = "Forwarding before measuring (default ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Setting("measuredSeconds")
  @Option(
      names = "--seconds",
      defaultValue = "40",
      description = "Measured window (default ${DEFAULT-VALUE}).")
  int seconds;

  @Setting(recorded = false)
  @Option(
      names = "--booster-jvm-args",
      split = " ",
      description = "Extra JVM flags for the measured booster's JVM.")
  List<String> boosterJvmArgs = new ArrayList<>();

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the relays' INFO logs.")
  boolean verbose;

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    common.set("bitrateKbps", figures.get("bitrateKbps"));
    if (figures.has("relays")) {
      common.put("viewers", figures.path("relays").asInt() - 1);
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    JsonNode threads = figures.path("boosterCoresByThread");
    List<String> names = Series.keys(threads);
    return List.of(
        SvgChart.bars("Booster CPU by thread group", "thread group", "cores", names)
            .bar("cores", Series.byKey(threads, names)));
  }

  @Override
  protected String name() {
    return "relay-cpu";
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode settings = report.settings();
    settings.put("children", 4);
    settings.put(
        "method",
        "measured booster in its own JVM (java -cp <loadtest jar> dev.waterfall.launcher.Main boost);"
            + " CPU = utime+stime of that process from /proc/<pid>/stat over the window, so native libwebrtc threads,"
            + " GC and JIT count; percent of one core");
    ObjectNode figures = report.figures();
    figures.put("bitrateKbps", kbps);
    String stream = "cpu";
    BoosterProcess booster = null;
    try (RelayRig rig = new RelayRig(false, verbose)) {
      String key = rig.createStream(stream, 4, kbps);
      progress.phase("origin + measured booster", 9);
      Relay origin =
          rig.origin(
              stream,
              key,
              new SyntheticSource(kbps, segmentMs, System.currentTimeMillis() / segmentMs, 11));
      progress.step();
      booster =
          BoosterProcess.start(
              "relay-cpu", boosterJvmArgs, rig.base, stream, rig.boosterToken(), false);
      List<String> cmd = booster.command;
      settings.put(
          "boosterCommand", String.join(" ", cmd.subList(0, cmd.size() - 2)) + " --token …");
      settings.put("boosterLog", booster.log.toString());
      String measuredId = booster.id;
      progress.step();
      for (int i = 0; i < 3; i++) {
        rig.booster(stream, false); // the origin's other three slots
        progress.step();
      }
      List<Relay> children = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        children.add(rig.booster(stream, false));
        progress.step();
      }
      long until = System.currentTimeMillis() + 30_000;
      while (!under(children, measuredId) && System.currentTimeMillis() < until) {
        Thread.sleep(100);
      }
      if (!under(children, measuredId)) {
        List<String> parents =
            children.stream().map(c -> String.valueOf(c.node().parentId())).toList();
        throw new IllegalStateException(
            "the 4 children are not all under the measured booster "
                + measuredId
                + " (their parents: "
                + parents
                + ")");
      }
      progress.phase("warm-up", warmupSeconds);
      for (int s = 0; s < warmupSeconds && !deadline.passed(); s++) {
        Thread.sleep(1000);
        progress.step();
      }
      long pid = booster.pid();
      long[] fromParentBefore =
          children.stream().mapToLong(c -> c.node().bytesFromParent()).toArray();
      long fallbackBefore = children.stream().mapToLong(c -> c.node().bytesByFallback()).sum();
      Map<String, Double> threadsBefore = ProcStat.cpuSecondsByThread(pid);
      double cpuBefore = ProcStat.cpuSeconds(pid);
      long t0 = System.nanoTime();
      progress.phase("measuring booster pid " + pid, seconds);
      int measured = 0;
      for (; measured < seconds && !deadline.passed() && booster.isAlive(); measured++) {
        Thread.sleep(1000);
        progress.step();
        double soFar =
            (ProcStat.cpuSeconds(pid) - cpuBefore) / ((System.nanoTime() - t0) / 1e9) * 100;
        progress.extra(String.format("booster CPU %.1f%% of a core", soFar));
      }
      double cpuAfter = ProcStat.cpuSeconds(pid);
      Map<String, Double> threadsAfter = ProcStat.cpuSecondsByThread(pid);
      double secs = (System.nanoTime() - t0) / 1e9;
      if (measured < seconds) {
        report.incomplete("measured " + measured + " of " + seconds + " s");
      }
      long forwarded = 0;
      for (int i = 0; i < children.size(); i++) {
        forwarded += children.get(i).node().bytesFromParent() - fromParentBefore[i];
      }
      long fallback =
          children.stream().mapToLong(c -> c.node().bytesByFallback()).sum() - fallbackBefore;
      double cpuPercent = Math.round((cpuAfter - cpuBefore) / secs * 1000) / 10.0;
      figures.put("relays", 9);
      figures.put("durationSecondsMeasured", Math.round(secs * 10) / 10.0);
      figures.put("boosterCpuPercent", cpuPercent);
      figures.put("boosterCpuSeconds", Math.round((cpuAfter - cpuBefore) * 100) / 100.0);
      figures.put("boosterForwardedMbps", Math.round(forwarded * 8.0 / secs / 1e4) / 100.0);
      figures.put("childrenFallbackBytes", fallback);
      figures.put("boosterRssBytes", ProcStat.rssBytes(pid));
      figures.putPOJO(
          "boosterCoresByThread",
          ProcStat.coresByThread(threadsBefore, threadsAfter, secs, cpuAfter - cpuBefore));
      report.target(
          Target.atMost(
              "booster CPU forwarding " + kbps + " kbps to 4 children",
              cpuPercent,
              25,
              "% of a core"));
      report.note(
          "the machine has "
              + Runtime.getRuntime().availableProcessors()
              + " cores shared by the booster, "
              + "this JVM (coordinator, origin, 7 other relays) and anything else running");
    } finally {
      if (booster != null) {
        booster.close();
      }
    }
  }

  private static boolean under(List<Relay> children, String parentId) {
    return children.stream().allMatch(c -> parentId.equals(c.node().parentId()));
  }
}

package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.testkit.process.CoordinatorProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * 1–3 coordinator processes in one Hazelcast cluster, N WebSocket nodes spread round-robin over
 * them, in this JVM or over several client processes: join rate and latency, heap per connected
 * node, CPU while they heart-beat, the join latency of more nodes arriving while N are connected,
 * then churn (departures and as many arrivals) with the repair latency it causes. The phases are
 * classes of their own ({@link WarmUpPhase}, {@link JoinPhase}, {@link HeartbeatPhase}, {@link
 * ChurnPhase}); the nodes sit behind {@link Clients}.
 */
@Command(
    name = "signalling",
    mixinStandardHelpOptions = true,
    description =
        "Joins, heartbeats, heap per node and repairs under churn against 1-3 coordinators run as child processes.")
public final class SignallingScenario extends Scenario {
  @Option(
      names = "--viewers",
      defaultValue = "10000",
      description = "Nodes kept connected (default ${DEFAULT-VALUE}).")
  int viewers;

  @Option(
      names = "--extra",
      defaultValue = "1000",
      description =
          "Nodes joined afterwards while the others stay connected (default ${DEFAULT-VALUE}).")
  int extra;

  @Option(
      names = "--warmup",
      defaultValue = "20000",
      description =
          "Joins into a throwaway stream first, in chunks that are closed again, so both JVMs' JIT has"
              + " compiled the join path before anything is measured (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--warmup-max",
      defaultValue = "60000",
      description =
          "Warm-up goes on past --warmup, chunk by chunk, while the coordinator's JIT still used over "
              + WarmUpPhase.QUIET_JIT_CORES
              + " cores in the last chunk, up to this many joins (default ${DEFAULT-VALUE}).")
  int warmupMax;

  @Option(
      names = "--warmup-chunk",
      defaultValue = "2000",
      description = "Sockets open at once during warm-up (default ${DEFAULT-VALUE}).")
  int warmupChunk;

  @Option(
      names = "--concurrency",
      defaultValue = "64",
      description = "Joins in flight at most (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--heartbeat-seconds",
      defaultValue = "10",
      description =
          "How long to measure CPU while all nodes heart-beat (default ${DEFAULT-VALUE}).")
  int heartbeatSeconds;

  @Setting(recorded = false)
  @Option(
      names = "--coordinator-jar",
      paramLabel = "JAR",
      description =
          "Coordinator to run (default: tree-coordinator/server/target/waterfall-coordinator.jar, else this jar's classes).")
  Path coordinatorJar;

  @Option(
      names = "--coordinator-heap",
      defaultValue = "2g",
      description = "Coordinator -Xmx (default ${DEFAULT-VALUE}).")
  String coordinatorHeap;

  @Setting(recorded = false)
  @Option(
      names = "--cluster-port",
      defaultValue = "17101",
      description = "Coordinator's first Hazelcast port (default ${DEFAULT-VALUE}).")
  int clusterPort;

  @Setting("coordinatorSettings")
  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Passed to the coordinator as --set KEY=VALUE.")
  List<String> coordinatorSettings = new ArrayList<>();

  @Setting("coordinatorJvmArgs")
  @Option(
      names = "--coordinator-jvm-arg",
      paramLabel = "ARG",
      description =
          "Extra JVM flag for the coordinator, e.g. -XX:StartFlightRecording=filename=c.jfr (repeatable).")
  List<String> coordinatorJvmArgs = new ArrayList<>();

  @Option(
      names = "--coordinators",
      defaultValue = "1",
      description =
          "Coordinator processes in one cluster, 1-3; viewers spread round-robin (default ${DEFAULT-VALUE}).")
  int coordinators;

  @Option(
      names = "--client-processes",
      defaultValue = "1",
      description =
          "Client processes the nodes are spread over, 1-8; 1 keeps them all in this JVM, more start"
              + " child JVMs from this program's classpath (one process holds at most ~19,500 sockets here)"
              + " (default ${DEFAULT-VALUE}).")
  int clientProcesses;

  @Setting(recorded = false)
  @Option(
      names = "--client-heap",
      defaultValue = "2g",
      description = "Client processes' -Xmx (default ${DEFAULT-VALUE}).")
  String clientHeap;

  @Setting("churnPerMinutePercent")
  @Option(
      names = "--churn-per-minute",
      defaultValue = "10",
      description =
          "Percent of --viewers departing per minute in the churn phase, as many joining (default ${DEFAULT-VALUE}; 0: none).")
  double churnPerMinute;

  @Option(
      names = "--churn-seconds",
      defaultValue = "60",
      description = "Length of the churn phase (default ${DEFAULT-VALUE}).")
  int churnSeconds;

  @Option(
      names = "--crash-share",
      defaultValue = "0.25",
      description =
          "Share of departures that only close the socket, no leave sent (default ${DEFAULT-VALUE}).")
  double crashShare;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the churn's choices (default ${DEFAULT-VALUE}).")
  long seed;

  /** Observations made while measuring, added to the report's notes at the end. */
  private final List<String> notes = new ArrayList<>();

  @Override
  protected void validate() {
    if (viewers < 1 || extra < 0 || concurrency < 1) {
      throw new IllegalArgumentException("need --viewers >= 1, --extra >= 0, --concurrency >= 1");
    }
    if (coordinators < 1 || coordinators > 3) {
      throw new IllegalArgumentException("--coordinators must be 1, 2 or 3");
    }
    if (clientProcesses < 1 || clientProcesses > 8) {
      throw new IllegalArgumentException("--client-processes must be 1 to 8");
    }
    if (churnPerMinute < 0 || churnSeconds < 0 || crashShare < 0 || crashShare > 1) {
      throw new IllegalArgumentException(
          "need --churn-per-minute >= 0, --churn-seconds >= 0, 0 <= --crash-share <= 1");
    }
    SocketBudget.here()
        .refusal(1L + viewers + extra, coordinators, clientProcesses)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException(why);
            });
  }

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    SignallingReport.headline(figures, common);
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    return SignallingReport.charts(figures);
  }

  @Override
  protected String name() {
    return "signalling";
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    long churnDepartures = ChurnPhase.departures(viewers, churnPerMinute, churnSeconds);
    ObjectNode settings = report.settings();
    settings.put("socketsPerProcessAtMost", SocketBudget.here().perProcess());
    report.note(
        "client and coordinator share this machine's "
            + Runtime.getRuntime().availableProcessors()
            + " cores: every figure includes the client's own CPU competing with the coordinator's");
    Path reports = ReportDir.locate(common.reportsDir);
    try (Coordinators all = new Coordinators()) {
      for (int i = 0; i < coordinators; i++) {
        progress.phase("starting coordinator " + (i + 1) + "/" + coordinators, 0);
        all.start(
            i,
            coordinators,
            coordinatorJar,
            coordinatorHeap,
            coordinatorJvmArgs,
            clusterPort,
            reports.resolve(
                i == 0
                    ? "signalling-coordinator.log"
                    : "signalling-coordinator-" + (i + 1) + ".log"),
            coordinatorSettings);
      }
      CoordinatorProcess first = all.first();
      settings.put("coordinator", first.launchedFrom());
      settings.put("coordinatorLog", first.log().toString());
      settings.put("coordinatorPid", first.pid());
      int capacity = 1 + viewers + extra + (int) churnDepartures;
      if (clientProcesses > 1) {
        settings.put("clientHeap", clientHeap);
        report.note(
            "nodes spread over "
                + clientProcesses
                + " client processes (logs: signalling-client-*.log);"
                + " client CPU is theirs, the origin is in this JVM");
      }
      progress.phase("starting " + clientProcesses + " client process(es)", 0);
      try (Clients clients =
          clientProcesses == 1
              ? new LocalClients(all.urls(), capacity, concurrency)
              : new ClientProcesses(
                  all.urls(), clientProcesses, capacity, concurrency, clientHeap, reports)) {
        runPhases(all, clients, report, deadline, progress, churnDepartures);
      } finally {
        progress.phase("stopping " + all.size() + " coordinator(s)", 0);
      }
    }
    notes.forEach(report::note);
    if (deadline.passed()) {
      report.incomplete(
          "time budget of " + common.maxSeconds + " s spent; later phases skipped or short");
    }
  }

  private void runPhases(
      Coordinators all,
      Clients clients,
      Report report,
      Deadline deadline,
      Progress progress,
      long churnDepartures)
      throws Exception {
    ObjectNode settings = report.settings();
    ObjectNode figures = report.figures();
    String stream = "bench";
    String publishKey = all.first().createStream(stream);
    if (warmup > 0) {
      figures.set(
          "warmup",
          new WarmUpPhase(warmup, warmupChunk, warmupMax).run(all, clients, progress, deadline));
    }
    settings.put("clientEventLoops", clients.eventLoops());
    JoinOutcome origin = clients.joinOrigin(stream, publishKey, progress, deadline);
    if (origin.joined() != 1) {
      throw new IllegalStateException("the origin could not join: " + origin.failures());
    }
    long interval = origin.heartbeatIntervalMs();
    settings.put("heartbeatIntervalMs", interval);
    clients.startHeartbeats(interval);

    progress.phase("heap with the origin only (GC)", 0);
    Thread.sleep(1000);
    HeapSnapshot base = HeapSnapshot.take(all);

    JoinOutcome main =
        JoinPhase.run(
            all,
            clients,
            "join " + viewers,
            stream,
            viewers,
            progress,
            deadline,
            figures.putObject("joins"),
            notes);
    report.target(
        Target.atLeast(
            "joins/s, first " + viewers + " (informative)",
            main.joinsPerSecond(),
            5_000,
            "joins/s"));

    progress.phase("heap with " + main.joined() + " nodes (GC)", 0);
    Thread.sleep(1000);
    HeapSnapshot.put(figures.putObject("memory"), base, HeapSnapshot.take(all), main.joined(), all);

    if (!deadline.passed()) {
      figures.set("steadyHeartbeats", HeartbeatPhase.run(all, clients, heartbeatSeconds, progress));
    }

    if (extra > 0 && !deadline.passed()) {
      ObjectNode out = figures.putObject("joinsWhileConnected");
      JoinOutcome more =
          JoinPhase.run(
              all,
              clients,
              "join " + extra + " more",
              stream,
              extra,
              progress,
              deadline,
              out,
              notes);
      out.put("connectedBefore", main.joined());
      report.target(
          Target.atLeast(
              "joins/s with " + main.joined() + " connected",
              more.joinsPerSecond(),
              5_000,
              "joins/s"));
      report.target(
          Target.atMost(
              "p99 join latency with " + main.joined() + " connected",
              Latency.at(more.joinToWelcome(), 99, Latency.Unit.MILLIS),
              50,
              "ms"));
    }

    if (churnDepartures > 0 && !deadline.passed()) {
      ChurnPlan plan =
          new ChurnPlan(stream, churnDepartures, churnSeconds, crashShare, seed, concurrency);
      figures.set(
          "churn",
          ChurnPhase.run(all, clients, plan, churnPerMinute, viewers, report, progress, deadline));
    }

    FleetState end = SignallingReport.end(figures, clients, all);
    if (end.dropped() > 0) {
      report.note(
          end.dropped()
              + " joined nodes were closed by the coordinator during the run (see its log)");
    }
    progress.phase("closing " + end.connected() + " sockets", 0);
  }
}

package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One coordinator process, N WebSocket nodes in this one: join rate and latency, heap per connected node,
 * CPU while they heart-beat, then the join latency of more nodes arriving while N are connected.
 */
@Command(name = "signalling", mixinStandardHelpOptions = true,
    description = "Joins, heartbeats and heap per node against one coordinator run as a child process.")
public final class SignallingScenario extends Scenario {
  @Option(names = "--viewers", defaultValue = "10000", description = "Nodes kept connected (default ${DEFAULT-VALUE}).")
  int viewers;

  @Option(names = "--extra", defaultValue = "1000",
      description = "Nodes joined afterwards while the others stay connected (default ${DEFAULT-VALUE}).")
  int extra;

  @Option(names = "--warmup", defaultValue = "20000",
      description = "Joins into a throwaway stream first, in chunks that are closed again, so both JVMs' JIT has"
          + " compiled the join path before anything is measured (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--warmup-max", defaultValue = "60000",
      description = "Warm-up goes on past --warmup, chunk by chunk, while the coordinator's JIT still used over "
          + QUIET_JIT_CORES + " cores in the last chunk, up to this many joins (default ${DEFAULT-VALUE}).")
  int warmupMax;

  static final double QUIET_JIT_CORES = 0.15;

  @Option(names = "--warmup-chunk", defaultValue = "2000", description = "Sockets open at once during warm-up (default ${DEFAULT-VALUE}).")
  int warmupChunk;

  @Option(names = "--concurrency", defaultValue = "64", description = "Joins in flight at most (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--heartbeat-seconds", defaultValue = "10",
      description = "How long to measure CPU while all nodes heart-beat (default ${DEFAULT-VALUE}).")
  int heartbeatSeconds;

  @Option(names = "--coordinator-jar", paramLabel = "JAR",
      description = "Coordinator to run (default: tree-coordinator/server/target/waterfall-coordinator.jar, else this jar's classes).")
  Path coordinatorJar;

  @Option(names = "--coordinator-heap", defaultValue = "2g", description = "Coordinator -Xmx (default ${DEFAULT-VALUE}).")
  String coordinatorHeap;

  @Option(names = "--cluster-port", defaultValue = "17101", description = "Coordinator's first Hazelcast port (default ${DEFAULT-VALUE}).")
  int clusterPort;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Passed to the coordinator as --set KEY=VALUE.")
  List<String> coordinatorSettings = new ArrayList<>();

  @Option(names = "--coordinator-jvm-arg", paramLabel = "ARG",
      description = "Extra JVM flag for the coordinator, e.g. -XX:StartFlightRecording=filename=c.jfr (repeatable).")
  List<String> coordinatorJvmArgs = new ArrayList<>();

  /** Observations made while measuring, added to the report's notes at the end. */
  private final List<String> notes = new ArrayList<>();

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    // The target is the rate with 10,000 connected: the second batch when there is one.
    JsonNode batch = figures.has("joinsWhileConnected") ? figures.get("joinsWhileConnected") : figures.path("joins");
    if (batch.has("joinsPerSecond")) {
      common.put("viewers", figures.path("joins").path("joined").asInt() + (batch == figures.get("joinsWhileConnected")
          ? batch.path("joined").asInt() : 0));
      common.set("joinsPerSecond", batch.get("joinsPerSecond"));
      common.set("joinP99Ms", batch.path("joinToWelcome").get("p99Ms"));
    }
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    List<String> batches = List.of("joins", "joinsWhileConnected");
    List<String> labels = List.of("first batch", "while the others stay connected");
    SvgChart chart = SvgChart.bars("Join latency", "batch", "ms", labels);
    for (String[] p : new String[][] {{"p50Ms", "join → welcome p50"}, {"p99Ms", "join → welcome p99"},
        {"p999Ms", "join → welcome p99.9"}}) {
      chart.bar(p[1], Series.byKey(figures, batches, "joinToWelcome", p[0]));
    }
    chart.bar("connect → welcome p99", Series.byKey(figures, batches, "connectToWelcome", "p99Ms"));
    return List.of(chart);
  }

  @Override
  protected String name() {
    return "signalling";
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    if (viewers < 1 || extra < 0 || concurrency < 1) {
      throw new IllegalArgumentException("need --viewers >= 1, --extra >= 0, --concurrency >= 1");
    }
    ObjectNode settings = report.settings();
    settings.put("viewers", viewers);
    settings.put("extra", extra);
    settings.put("concurrency", concurrency);
    settings.put("warmup", warmup);
    settings.put("warmupChunk", warmupChunk);
    settings.put("warmupMax", warmupMax);
    settings.put("heartbeatSeconds", heartbeatSeconds);
    settings.put("coordinatorHeap", coordinatorHeap);
    settings.putPOJO("coordinatorSettings", coordinatorSettings);
    settings.putPOJO("coordinatorJvmArgs", coordinatorJvmArgs);
    report.note("client and coordinator share this machine's " + Runtime.getRuntime().availableProcessors()
        + " cores: every figure includes the client's own CPU competing with the coordinator's");
    ObjectNode figures = report.figures();

    List<String> extraArgs = new ArrayList<>();
    for (String s : coordinatorSettings) {
      extraArgs.add("--set");
      extraArgs.add(s);
    }
    Path log = ReportDir.locate(common.reportsDir).resolve("signalling-coordinator.log");
    progress.phase("starting coordinator", 0);
    try (CoordinatorProcess coordinator = CoordinatorProcess.start(coordinatorJar, coordinatorHeap,
        coordinatorJvmArgs, clusterPort, log, extraArgs)) {
      settings.put("coordinator", coordinator.launchedFrom());
      settings.put("coordinatorLog", coordinator.log().toString());
      settings.put("coordinatorPid", coordinator.pid());
      String stream = "bench";
      String publishKey = coordinator.createStream(stream);
      if (warmup > 0) {
        figures.set("warmup", warmUp(coordinator, progress, deadline));
      }
      try (Fleet fleet = new Fleet(coordinator.baseUrl(), 1 + viewers + extra)) {
        settings.put("clientEventLoops", fleet.eventLoops());
        JoinBatch origin = fleet.join("origin", stream, "origin", publishKey, 1, 1, progress, deadline);
        if (origin.joined.get() != 1) {
          throw new IllegalStateException("the origin could not join: " + origin.toJson().get("failures"));
        }
        long interval = origin.heartbeatIntervalMs;
        settings.put("heartbeatIntervalMs", interval);
        fleet.startHeartbeats(interval, 10);

        progress.phase("heap with the origin only (GC)", 0);
        Thread.sleep(1000);
        long heapBase = coordinator.heapAfterGc();
        long rssBase = ProcStat.rssBytes(coordinator.pid());

        JoinBatch main = measured(fleet, coordinator, "join " + viewers, stream, viewers, progress, deadline,
            figures.putObject("joins"));
        report.target(Target.atLeast("joins/s, first " + viewers + " (informative)", main.joinsPerSecond(),
            5_000, "joins/s"));

        progress.phase("heap with " + main.joined.get() + " nodes (GC)", 0);
        Thread.sleep(1000);
        long heapN = coordinator.heapAfterGc();
        long rssN = ProcStat.rssBytes(coordinator.pid());
        ObjectNode memory = figures.putObject("memory");
        memory.put("heapOriginOnlyBytes", heapBase);
        memory.put("heapWithNodesBytes", heapN);
        memory.put("nodes", main.joined.get());
        if (main.joined.get() > 0) {
          memory.put("heapBytesPerNode", (heapN - heapBase) / main.joined.get());
          memory.put("rssBytesPerNode", (rssN - rssBase) / main.joined.get());
        }
        memory.put("rssOriginOnlyBytes", rssBase);
        memory.put("rssWithNodesBytes", rssN);
        memory.put("method", "jcmd <pid> GC.run twice, then the sum of jvm_memory_used_bytes{area=\"heap\"} from /metrics;"
            + " RSS from /proc/<pid>/status (includes Netty's direct buffers)");

        if (!deadline.passed()) {
          figures.set("steadyHeartbeats", steady(fleet, coordinator, progress));
        }

        if (extra > 0 && !deadline.passed()) {
          JoinBatch more = measured(fleet, coordinator, "join " + extra + " more", stream, extra, progress, deadline,
              figures.putObject("joinsWhileConnected"));
          ((ObjectNode) figures.get("joinsWhileConnected")).put("connectedBefore", main.joined.get());
          report.target(Target.atLeast("joins/s with " + main.joined.get() + " connected", more.joinsPerSecond(),
              5_000, "joins/s"));
          report.target(Target.atMost("p99 join latency with " + main.joined.get() + " connected",
              Latency.at(more.joinLatencies(), 99, Latency.Unit.MILLIS), 50, "ms"));
        }

        ObjectNode end = figures.putObject("end");
        end.put("connectedAtClient", fleet.connected());
        end.put("sessionsAtCoordinator", coordinator.health().path("sessions").asInt(-1));
        end.put("droppedByCoordinator", fleet.dropped());
        end.put("heartbeatsSent", fleet.heartbeatsSent());
        end.putPOJO("messagesReceived", fleet.received());
        if (fleet.dropped() > 0) {
          report.note(fleet.dropped() + " joined nodes were closed by the coordinator during the run (see its log)");
        }
        progress.phase("closing " + fleet.connected() + " sockets", 0);
      }
      progress.phase("stopping coordinator", 0);
    }
    notes.forEach(report::note);
    if (deadline.passed()) {
      report.incomplete("time budget of " + common.maxSeconds + " s spent; later phases skipped or short");
    }
  }

  /**
   * Joins {@code warmup} viewers into a throwaway stream, {@code warmupChunk} sockets at a time (closed after
   * each chunk, so file descriptors do not pile up). A cold coordinator spends most of a core in the JIT
   * compiler for tens of seconds; measured this way, the figures are the steady state's. The warm-up looks like
   * the measured phase (an origin connected, every node heart-beating, /metrics scraped), else the JIT
   * recompiles at the switch (measured: ~0.5 core of the coordinator and 0.4 of the client compiling during
   * the first measured batch). Past {@code warmup}, chunks go on while the coordinator's compiler threads still
   * used over {@value #QUIET_JIT_CORES} cores in the last chunk, up to {@code warmupMax} joins.
   */
  private ObjectNode warmUp(CoordinatorProcess coordinator, Progress progress, Deadline deadline) throws Exception {
    String stream = "warmup";
    String publishKey = coordinator.createStream(stream);
    int joined = 0;
    long start = System.nanoTime();
    double serverCpu0 = ProcStat.cpuSeconds(coordinator.pid());
    double lastJit = -1;
    int done = 0;
    try (Fleet origin = new Fleet(coordinator.baseUrl(), 1)) {
      JoinBatch o = origin.join("warm-up origin", stream, "origin", publishKey, 1, 1, progress, deadline);
      long interval = o.heartbeatIntervalMs > 0 ? o.heartbeatIntervalMs : 2000;
      origin.startHeartbeats(interval, 10);
      while (!deadline.passed() && (done < warmup || done < warmupMax && lastJit > QUIET_JIT_CORES)) {
        int n = done < warmup ? Math.min(warmupChunk, warmup - done) : warmupChunk;
        Map<String, Double> threads0 = ProcStat.cpuSecondsByThread(coordinator.pid());
        double cpu0 = ProcStat.cpuSeconds(coordinator.pid());
        long t0 = System.nanoTime();
        try (Fleet chunk = new Fleet(coordinator.baseUrl(), n)) {
          chunk.startHeartbeats(interval, 10);
          JoinBatch b = chunk.join("warm-up " + (done + n) + "/" + Math.max(warmup, done + n), stream, "viewer",
              null, n, concurrency, progress, deadline);
          joined += b.joined.get();
        }
        // The measurement scrapes /metrics and /health between batches; through the same Netty and router
        // code as the WebSocket upgrades, so they are part of the profile the JIT must have seen.
        coordinator.metrics();
        coordinator.health();
        double wall = (System.nanoTime() - t0) / 1e9;
        lastJit = ProcStat.jitCores(ProcStat.coresByThread(threads0, ProcStat.cpuSecondsByThread(coordinator.pid()),
            wall, ProcStat.cpuSeconds(coordinator.pid()) - cpu0));
        done += n;
      }
    }
    long nanos = System.nanoTime() - start;
    // The stream is left in place (only its root remains): deleting it ran new Hazelcast operation types through
    // the join path's shared call sites, and the JIT recompiled them during the measured batch.
    ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    o.put("joins", joined);
    o.put("seconds", round2(nanos / 1e9));
    o.put("joinsPerSecondIncludingCloses", Latency.perSecond(joined, nanos));
    o.put("coordinatorCpuCores", round2((ProcStat.cpuSeconds(coordinator.pid()) - serverCpu0) / (nanos / 1e9)));
    o.put("coordinatorJitCoresLastChunk", round2(lastJit));
    return o;
  }

  /** A join batch with the CPU both processes spent on it and the coordinator's own placement timer. */
  private JoinBatch measured(Fleet fleet, CoordinatorProcess coordinator, String label, String stream, int count,
                             Progress progress, Deadline deadline, ObjectNode out) throws Exception {
    double serverCpu0 = ProcStat.cpuSeconds(coordinator.pid());
    double clientCpu0 = selfCpuSeconds();
    Map<String, Double> serverThreads0 = ProcStat.cpuSecondsByThread(coordinator.pid());
    Map<String, Double> clientThreads0 = ProcStat.cpuSecondsByThread(ProcessHandle.current().pid());
    String before = coordinator.metrics();
    long t0 = System.nanoTime();
    JoinBatch batch = fleet.join(label, stream, "viewer", null, count, concurrency, progress, deadline);
    double wall = (System.nanoTime() - t0) / 1e9;
    double serverCpu = ProcStat.cpuSeconds(coordinator.pid()) - serverCpu0;
    double clientCpu = selfCpuSeconds() - clientCpu0;
    Map<String, Double> serverThreads = ProcStat.coresByThread(serverThreads0,
        ProcStat.cpuSecondsByThread(coordinator.pid()), wall, serverCpu);
    Map<String, Double> clientThreads = ProcStat.coresByThread(clientThreads0,
        ProcStat.cpuSecondsByThread(ProcessHandle.current().pid()), wall, clientCpu);
    String after = coordinator.metrics();
    out.setAll(batch.toJson());
    if (wall > 0 && ProcStat.jitCores(serverThreads) + ProcStat.jitCores(clientThreads) >= 0.2) {
      notes.add(label + ": the JIT compilers still used " + round2(ProcStat.jitCores(serverThreads)) + " (coordinator) + "
          + round2(ProcStat.jitCores(clientThreads)) + " (client) cores; not yet steady state (see --warmup)");
    }
    if (batch.joined.get() > 0) {
      // Per join, whatever the machine's load: what one join costs each side, JIT included (see the notes).
      out.put("coordinatorCpuMsPerJoin", round3(serverCpu * 1000 / batch.joined.get()));
      out.put("coordinatorCpuMsPerJoinExcludingJit",
          round3((serverCpu - ProcStat.jitCores(serverThreads) * wall) * 1000 / batch.joined.get()));
      out.put("coordinatorEventLoopMsPerJoin", round3(eventLoopCores(serverThreads) * wall * 1000 / batch.joined.get()));
      out.put("clientCpuMsPerJoin", round3(clientCpu * 1000 / batch.joined.get()));
    }
    if (wall > 0) {
      out.put("coordinatorCpuCores", round2(serverCpu / wall));
      out.put("clientCpuCores", round2(clientCpu / wall));
      out.putPOJO("coordinatorCoresByThread", serverThreads);
      out.putPOJO("clientCoresByThread", clientThreads);
    }
    // Server-side: time from asking the tree for a place to getting it (entry processor round trip).
    double n = diff(before, after, "waterfall_placement_seconds_count");
    double s = diff(before, after, "waterfall_placement_seconds_sum");
    if (n > 0) {
      out.put("coordinatorPlacementMeanMs", round2(s / n * 1000));
    }
    return batch;
  }

  /** CPU of both processes while every node heart-beats and nothing else happens. */
  private ObjectNode steady(Fleet fleet, CoordinatorProcess coordinator, Progress progress) throws Exception {
    progress.phase("heartbeats, " + fleet.connected() + " nodes", heartbeatSeconds);
    double serverCpu0 = ProcStat.cpuSeconds(coordinator.pid());
    double clientCpu0 = selfCpuSeconds();
    Map<String, Double> serverThreads0 = ProcStat.cpuSecondsByThread(coordinator.pid());
    long sent0 = fleet.heartbeatsSent();
    long t0 = System.nanoTime();
    List<Double> gauge = new ArrayList<>();
    for (int i = 0; i < heartbeatSeconds; i++) {
      Thread.sleep(1000);
      OptionalDouble u = Prometheus.sum(coordinator.metrics(), "process_cpu_usage", Map.of());
      u.ifPresent(gauge::add);
      progress.step();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    o.put("nodes", fleet.connected());
    o.put("seconds", round2(secs));
    o.put("heartbeatsPerSecond", Math.round((fleet.heartbeatsSent() - sent0) / secs));
    o.put("clientCpuCores", round2((selfCpuSeconds() - clientCpu0) / secs));
    double serverCpu = ProcStat.cpuSeconds(coordinator.pid()) - serverCpu0;
    o.putPOJO("coordinatorCoresByThread", ProcStat.coresByThread(serverThreads0,
        ProcStat.cpuSecondsByThread(coordinator.pid()), secs, serverCpu));
    o.put("coordinatorCpuCores", round2(serverCpu / secs));
    double avg = gauge.stream().mapToDouble(Double::doubleValue).average().orElse(-1);
    o.put("coordinatorProcessCpuUsage", Math.round(avg * 10000) / 10000.0);
    o.put("method", "cpuCores: Δ(utime+stime) from /proc over the window (1.0 = one core busy);"
        + " processCpuUsage: mean of the coordinator's process_cpu_usage gauge (fraction of all cores)");
    return o;
  }

  private static double diff(String before, String after, String name) {
    return Prometheus.sum(after, name, Map.of()).orElse(0) - Prometheus.sum(before, name, Map.of()).orElse(0);
  }

  private static double selfCpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return ProcStat.cpuSeconds(ProcessHandle.current().pid());
  }

  private static double eventLoopCores(Map<String, Double> coresByThread) {
    return coresByThread.entrySet().stream().filter(e -> e.getKey().startsWith("vert.x-eventloo"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}

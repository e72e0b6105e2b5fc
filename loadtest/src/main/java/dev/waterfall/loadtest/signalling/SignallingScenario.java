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
 * 1–3 coordinator processes in one Hazelcast cluster, N WebSocket nodes in this one spread round-robin over them:
 * join rate and latency, heap per connected node, CPU while they heart-beat, the join latency of more nodes
 * arriving while N are connected, then churn (departures and as many arrivals) with the repair latency it causes.
 */
@Command(name = "signalling", mixinStandardHelpOptions = true,
    description = "Joins, heartbeats, heap per node and repairs under churn against 1-3 coordinators run as child processes.")
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

  @Option(names = "--coordinators", defaultValue = "1",
      description = "Coordinator processes in one cluster, 1-3; viewers spread round-robin (default ${DEFAULT-VALUE}).")
  int coordinators;

  @Option(names = "--churn-per-minute", defaultValue = "10",
      description = "Percent of --viewers departing per minute in the churn phase, as many joining (default ${DEFAULT-VALUE}; 0: none).")
  double churnPerMinute;

  @Option(names = "--churn-seconds", defaultValue = "60", description = "Length of the churn phase (default ${DEFAULT-VALUE}).")
  int churnSeconds;

  @Option(names = "--crash-share", defaultValue = "0.25",
      description = "Share of departures that only close the socket, no leave sent (default ${DEFAULT-VALUE}).")
  double crashShare;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the churn's choices (default ${DEFAULT-VALUE}).")
  long seed;

  /** How long after the last departure reparents are still waited for. */
  static final long REPAIR_SETTLE_MS = 3000;

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
    JsonNode repair = figures.path("churn").path("repair");
    if (repair.has("p50Ms")) {
      common.set("repairP50Ms", repair.get("p50Ms"));
      common.set("repairP95Ms", repair.get("p95Ms"));
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
    if (!figures.path("churn").path("repair").has("p50Ms")) {
      return List.of(chart);
    }
    // Repair-time distribution: departure sent → each child's reparent.
    SvgChart repair = SvgChart.bars("Repair latency under churn", "departure → child's reparent", "ms",
        List.of("repair"));
    for (String[] p : new String[][] {{"p50Ms", "p50"}, {"p95Ms", "p95"}, {"p99Ms", "p99"}, {"maxMs", "max"}}) {
      repair.bar(p[1], Series.byKey(figures, List.of("churn"), "repair", p[0]));
    }
    return List.of(chart, repair);
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
    if (coordinators < 1 || coordinators > 3) {
      throw new IllegalArgumentException("--coordinators must be 1, 2 or 3");
    }
    if (churnPerMinute < 0 || churnSeconds < 0 || crashShare < 0 || crashShare > 1) {
      throw new IllegalArgumentException("need --churn-per-minute >= 0, --churn-seconds >= 0, 0 <= --crash-share <= 1");
    }
    long churnDepartures = churnDepartures(viewers, churnPerMinute, churnSeconds);
    ObjectNode settings = report.settings();
    settings.put("viewers", viewers);
    settings.put("extra", extra);
    settings.put("concurrency", concurrency);
    settings.put("warmup", warmup);
    settings.put("warmupChunk", warmupChunk);
    settings.put("warmupMax", warmupMax);
    settings.put("heartbeatSeconds", heartbeatSeconds);
    settings.put("coordinators", coordinators);
    settings.put("churnPerMinutePercent", churnPerMinute);
    settings.put("churnSeconds", churnSeconds);
    settings.put("crashShare", crashShare);
    settings.put("seed", seed);
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
    if (coordinators > 1) {
      // Each member its own first port; each told of all, so whichever starts first the others find it.
      extraArgs.add("--cluster-members");
      extraArgs.add(clusterMembers(clusterPort, coordinators));
    }
    List<CoordinatorProcess> all = new ArrayList<>();
    try {
      for (int i = 0; i < coordinators; i++) {
        Path log = ReportDir.locate(common.reportsDir)
            .resolve(i == 0 ? "signalling-coordinator.log" : "signalling-coordinator-" + (i + 1) + ".log");
        progress.phase("starting coordinator " + (i + 1) + "/" + coordinators, 0);
        all.add(CoordinatorProcess.start(coordinatorJar, coordinatorHeap, coordinatorJvmArgs, clusterPort + i, log,
            extraArgs));
      }
      runAgainst(all, report, deadline, progress, churnDepartures);
    } finally {
      progress.phase("stopping " + all.size() + " coordinator(s)", 0);
      for (CoordinatorProcess c : all) {
        c.close();
      }
    }
    notes.forEach(report::note);
    if (deadline.passed()) {
      report.incomplete("time budget of " + common.maxSeconds + " s spent; later phases skipped or short");
    }
  }

  /** "127.0.0.1:P,127.0.0.1:P+1,…" for {@code n} members. */
  static String clusterMembers(int firstPort, int n) {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add("127.0.0.1:" + (firstPort + i));
    }
    return String.join(",", members);
  }

  /** Departures (and arrivals) in the churn phase: {@code percentPerMinute} of {@code viewers} per minute. */
  static long churnDepartures(int viewers, double percentPerMinute, int seconds) {
    return Math.round(viewers * percentPerMinute / 100.0 * seconds / 60.0);
  }

  private void runAgainst(List<CoordinatorProcess> all, Report report, Deadline deadline, Progress progress,
                          long churnDepartures) throws Exception {
    ObjectNode settings = report.settings();
    ObjectNode figures = report.figures();
    CoordinatorProcess coordinator = all.get(0);
    {
      settings.put("coordinator", coordinator.launchedFrom());
      settings.put("coordinatorLog", coordinator.log().toString());
      settings.put("coordinatorPid", coordinator.pid());
      List<String> urls = all.stream().map(CoordinatorProcess::baseUrl).toList();
      String stream = "bench";
      String publishKey = coordinator.createStream(stream);
      if (warmup > 0) {
        figures.set("warmup", warmUp(all, progress, deadline));
      }
      try (Fleet fleet = new Fleet(urls, 1 + viewers + extra + (int) churnDepartures)) {
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
        long[] heapBaseEach = heapsAfterGc(all);
        long heapBase = sum(heapBaseEach);
        long rssBase = rss(all);

        JoinBatch main = measured(fleet, all, "join " + viewers, stream, viewers, progress, deadline,
            figures.putObject("joins"));
        report.target(Target.atLeast("joins/s, first " + viewers + " (informative)", main.joinsPerSecond(),
            5_000, "joins/s"));

        progress.phase("heap with " + main.joined.get() + " nodes (GC)", 0);
        Thread.sleep(1000);
        long[] heapNEach = heapsAfterGc(all);
        long heapN = sum(heapNEach);
        long rssN = rss(all);
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
        if (all.size() > 1) {
          var each = memory.putArray("perCoordinator");
          for (int i = 0; i < all.size(); i++) {
            each.addObject().put("pid", all.get(i).pid()).put("heapOriginOnlyBytes", heapBaseEach[i])
                .put("heapWithNodesBytes", heapNEach[i]).put("rssWithNodesBytes", ProcStat.rssBytes(all.get(i).pid()));
          }
        }
        memory.put("method", (all.size() > 1 ? "sums over the coordinators; " : "") + "jcmd <pid> GC.run twice, then the sum of jvm_memory_used_bytes{area=\"heap\"} from /metrics;"
            + " RSS from /proc/<pid>/status (includes Netty's direct buffers)");

        if (!deadline.passed()) {
          figures.set("steadyHeartbeats", steady(fleet, all, progress));
        }

        if (extra > 0 && !deadline.passed()) {
          JoinBatch more = measured(fleet, all, "join " + extra + " more", stream, extra, progress, deadline,
              figures.putObject("joinsWhileConnected"));
          ((ObjectNode) figures.get("joinsWhileConnected")).put("connectedBefore", main.joined.get());
          report.target(Target.atLeast("joins/s with " + main.joined.get() + " connected", more.joinsPerSecond(),
              5_000, "joins/s"));
          report.target(Target.atMost("p99 join latency with " + main.joined.get() + " connected",
              Latency.at(more.joinLatencies(), 99, Latency.Unit.MILLIS), 50, "ms"));
        }

        if (churnDepartures > 0 && !deadline.passed()) {
          figures.set("churn", churn(fleet, all, stream, churnDepartures, report, progress, deadline));
        }

        ObjectNode end = figures.putObject("end");
        end.put("connectedAtClient", fleet.connected());
        int sessions = 0;
        for (CoordinatorProcess c : all) {
          sessions += c.health().path("sessions").asInt(0);
        }
        end.put("sessionsAtCoordinator", sessions);
        end.put("droppedByCoordinator", fleet.dropped());
        end.put("heartbeatsSent", fleet.heartbeatsSent());
        end.putPOJO("messagesReceived", fleet.received());
        if (fleet.dropped() > 0) {
          report.note(fleet.dropped() + " joined nodes were closed by the coordinator during the run (see its log)");
        }
        progress.phase("closing " + fleet.connected() + " sockets", 0);
      }
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
  private ObjectNode warmUp(List<CoordinatorProcess> all, Progress progress, Deadline deadline) throws Exception {
    CoordinatorProcess coordinator = all.get(0);
    List<String> urls = all.stream().map(CoordinatorProcess::baseUrl).toList();
    String stream = "warmup";
    String publishKey = coordinator.createStream(stream);
    int joined = 0;
    long start = System.nanoTime();
    double serverCpu0 = cpuSeconds(all);
    double lastJit = -1;
    int done = 0;
    try (Fleet origin = new Fleet(coordinator.baseUrl(), 1)) {
      JoinBatch o = origin.join("warm-up origin", stream, "origin", publishKey, 1, 1, progress, deadline);
      long interval = o.heartbeatIntervalMs > 0 ? o.heartbeatIntervalMs : 2000;
      origin.startHeartbeats(interval, 10);
      while (!deadline.passed() && (done < warmup || done < warmupMax && lastJit > QUIET_JIT_CORES)) {
        int n = done < warmup ? Math.min(warmupChunk, warmup - done) : warmupChunk;
        List<Map<String, Double>> threads0 = all.stream().map(c -> ProcStat.cpuSecondsByThread(c.pid())).toList();
        double[] cpu0 = all.stream().mapToDouble(c -> ProcStat.cpuSeconds(c.pid())).toArray();
        long t0 = System.nanoTime();
        try (Fleet chunk = new Fleet(urls, n)) {
          chunk.startHeartbeats(interval, 10);
          JoinBatch b = chunk.join("warm-up " + (done + n) + "/" + Math.max(warmup, done + n), stream, "viewer",
              null, n, concurrency, progress, deadline);
          joined += b.joined.get();
        }
        // The measurement scrapes /metrics and /health between batches; through the same Netty and router
        // code as the WebSocket upgrades, so they are part of the profile the JIT must have seen.
        for (CoordinatorProcess c : all) {
          c.metrics();
          c.health();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        // The busiest compiler among the coordinators decides: each must be warm.
        lastJit = 0;
        for (int i = 0; i < all.size(); i++) {
          long pid = all.get(i).pid();
          lastJit = Math.max(lastJit, ProcStat.jitCores(ProcStat.coresByThread(threads0.get(i),
              ProcStat.cpuSecondsByThread(pid), wall, ProcStat.cpuSeconds(pid) - cpu0[i])));
        }
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
    o.put("coordinatorCpuCores", round2((cpuSeconds(all) - serverCpu0) / (nanos / 1e9)));
    o.put("coordinatorJitCoresLastChunk", round2(lastJit));
    return o;
  }

  /** A join batch with the CPU both processes spent on it and the coordinator's own placement timer. */
  private JoinBatch measured(Fleet fleet, List<CoordinatorProcess> all, String label, String stream, int count,
                             Progress progress, Deadline deadline, ObjectNode out) throws Exception {
    double[] each0 = cpuSecondsEach(all);
    double serverCpu0 = cpuSeconds(all);
    double clientCpu0 = selfCpuSeconds();
    Map<String, Double> serverThreads0 = cpuSecondsByThread(all);
    Map<String, Double> clientThreads0 = ProcStat.cpuSecondsByThread(ProcessHandle.current().pid());
    List<String> before = metrics(all);
    long t0 = System.nanoTime();
    JoinBatch batch = fleet.join(label, stream, "viewer", null, count, concurrency, progress, deadline);
    double wall = (System.nanoTime() - t0) / 1e9;
    double serverCpu = cpuSeconds(all) - serverCpu0;
    double[] each = cpuSecondsEach(all);
    double clientCpu = selfCpuSeconds() - clientCpu0;
    Map<String, Double> serverThreads = ProcStat.coresByThread(serverThreads0, cpuSecondsByThread(all), wall,
        serverCpu);
    Map<String, Double> clientThreads = ProcStat.coresByThread(clientThreads0,
        ProcStat.cpuSecondsByThread(ProcessHandle.current().pid()), wall, clientCpu);
    List<String> after = metrics(all);
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
      if (all.size() > 1) {
        out.putPOJO("coordinatorCpuCoresEach", coresEach(each0, each, wall));
      }
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

  /**
   * {@code departures} random viewers go over {@code --churn-seconds}, evenly paced (a share only close their
   * socket, the others send {@code leave} first), and as many new viewers join at the same pace. Repair latency:
   * from a departure being sent to each of its children receiving its {@code reparent} (see {@link RepairClock}).
   */
  private ObjectNode churn(Fleet fleet, List<CoordinatorProcess> all, String stream, long departures, Report report,
                           Progress progress, Deadline deadline) throws Exception {
    progress.phase("churn " + churnPerMinute + "%/min of " + viewers + ", " + churnSeconds + " s", departures);
    java.util.Random random = new java.util.Random(seed);
    JoinBatch arrivals = new JoinBatch("churn arrivals", (int) departures, concurrency);
    String joinText = Fleet.joinText(stream, "viewer", null);
    double[] each0 = cpuSecondsEach(all);
    double clientCpu0 = selfCpuSeconds();
    long start = System.nanoTime();
    arrivals.started = start;
    long done = 0;
    long graceful = 0;
    long crashed = 0;
    long noneToPick = 0;
    long periodNanos = churnSeconds * 1_000_000_000L;
    while (done < departures && !deadline.passed()) {
      long due = Math.min(departures, 1 + HeartbeatPacer.due(departures, System.nanoTime() - start, periodNanos));
      for (; done < due; done++) {
        Viewer v = fleet.pickDepartable(random);
        if (v == null) {
          noneToPick++;
        } else if (random.nextDouble() < crashShare) {
          fleet.depart(v, false);
          crashed++;
        } else {
          fleet.depart(v, true);
          graceful++;
        }
        // Progress steps as arrivals settle (welcome or failure).
        if (arrivals.inFlight.tryAcquire()) {
          fleet.open(arrivals, joinText, false, progress);
        } else {
          arrivals.failed(new Viewer(-1, arrivals, false), "over --concurrency in flight");
          progress.step();
        }
      }
      Thread.sleep(10);
    }
    for (long i = done; i < departures; i++) {
      arrivals.settled.countDown();
    }
    double wall = (System.nanoTime() - start) / 1e9;
    progress.phase("waiting for the last repairs", 0);
    arrivals.settled.await(Math.max(1, Math.min(deadline.remainingMillis(), 30_000)), java.util.concurrent.TimeUnit.MILLISECONDS);
    Thread.sleep(Math.min(REPAIR_SETTLE_MS, Math.max(1, deadline.remainingMillis())));
    arrivals.close();
    RepairClock repairs = fleet.repairs();
    org.HdrHistogram.Histogram h = repairs.latencies();

    ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    o.put("seconds", round2(wall));
    o.put("departures", graceful + crashed);
    o.put("leaves", graceful);
    o.put("socketCloses", crashed);
    if (noneToPick > 0) {
      o.put("departuresSkippedNoViewerFound", noneToPick);
    }
    o.put("childrenAtDeparture", fleet.childrenAtDeparture());
    o.put("moves", repairs.moves());
    o.put("otherReparents", repairs.otherReparents());
    ObjectNode repair = Latency.summary(h, Latency.Unit.MILLIS);
    if (h.getTotalCount() > 0) {
      repair.put("p95Ms", Latency.at(h, 95, Latency.Unit.MILLIS));
    }
    o.set("repair", repair);
    o.set("arrivals", arrivals.toJson());
    o.put("connectedAfter", fleet.connected());
    double[] each = cpuSecondsEach(all);
    o.put("coordinatorCpuCores", round2((java.util.Arrays.stream(each).sum() - java.util.Arrays.stream(each0).sum()) / wall));
    if (all.size() > 1) {
      o.putPOJO("coordinatorCpuCoresEach", coresEach(each0, each, wall));
    }
    o.put("clientCpuCores", round2((selfCpuSeconds() - clientCpu0) / wall));
    o.put("method", "repair: nanoTime of sending the departure (leave, or closing the socket) to a child of that node"
        + " receiving reparent, the child knowing its parent from welcome and earlier reparents; moves: such"
        + " reparents; childrenAtDeparture: child-joined minus child-left the departed nodes had received;"
        + " otherReparents: nodes moved while their parent stayed (with leaf-swap, the leaf taking the departed"
        + " node's place), counted, not timed");
    if (repairs.moves() > 0) {
      report.target(Target.atMost("repair p95 under " + churnPerMinute + "% churn/min (informative)",
          Latency.at(h, 95, Latency.Unit.MILLIS), 1000, "ms"));
    }
    return o;
  }

  /** CPU of both processes while every node heart-beats and nothing else happens. */
  private ObjectNode steady(Fleet fleet, List<CoordinatorProcess> all, Progress progress) throws Exception {
    progress.phase("heartbeats, " + fleet.connected() + " nodes", heartbeatSeconds);
    double[] each0 = cpuSecondsEach(all);
    double serverCpu0 = cpuSeconds(all);
    double clientCpu0 = selfCpuSeconds();
    Map<String, Double> serverThreads0 = cpuSecondsByThread(all);
    long sent0 = fleet.heartbeatsSent();
    long t0 = System.nanoTime();
    List<Double> gauge = new ArrayList<>();
    for (int i = 0; i < heartbeatSeconds; i++) {
      Thread.sleep(1000);
      // Summed over the coordinators: each gauge is a fraction of all cores.
      double u = 0;
      boolean seen = false;
      for (CoordinatorProcess c : all) {
        OptionalDouble one = Prometheus.sum(c.metrics(), "process_cpu_usage", Map.of());
        if (one.isPresent()) {
          u += one.getAsDouble();
          seen = true;
        }
      }
      if (seen) {
        gauge.add(u);
      }
      progress.step();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    o.put("nodes", fleet.connected());
    o.put("seconds", round2(secs));
    o.put("heartbeatsPerSecond", Math.round((fleet.heartbeatsSent() - sent0) / secs));
    o.put("clientCpuCores", round2((selfCpuSeconds() - clientCpu0) / secs));
    double serverCpu = cpuSeconds(all) - serverCpu0;
    o.putPOJO("coordinatorCoresByThread", ProcStat.coresByThread(serverThreads0, cpuSecondsByThread(all), secs,
        serverCpu));
    o.put("coordinatorCpuCores", round2(serverCpu / secs));
    if (all.size() > 1) {
      o.putPOJO("coordinatorCpuCoresEach", coresEach(each0, cpuSecondsEach(all), secs));
    }
    double avg = gauge.stream().mapToDouble(Double::doubleValue).average().orElse(-1);
    o.put("coordinatorProcessCpuUsage", Math.round(avg * 10000) / 10000.0);
    o.put("method", "cpuCores: Δ(utime+stime) from /proc over the window (1.0 = one core busy);"
        + " processCpuUsage: mean of the coordinator's process_cpu_usage gauge (fraction of all cores)");
    return o;
  }

  private static double diff(List<String> before, List<String> after, String name) {
    double d = 0;
    for (int i = 0; i < before.size(); i++) {
      d += Prometheus.sum(after.get(i), name, Map.of()).orElse(0) - Prometheus.sum(before.get(i), name, Map.of()).orElse(0);
    }
    return d;
  }

  private static List<String> metrics(List<CoordinatorProcess> all) throws Exception {
    List<String> out = new ArrayList<>();
    for (CoordinatorProcess c : all) {
      out.add(c.metrics());
    }
    return out;
  }

  private static double[] cpuSecondsEach(List<CoordinatorProcess> all) {
    return all.stream().mapToDouble(c -> ProcStat.cpuSeconds(c.pid())).toArray();
  }

  private static double cpuSeconds(List<CoordinatorProcess> all) {
    return java.util.Arrays.stream(cpuSecondsEach(all)).sum();
  }

  private static List<Double> coresEach(double[] before, double[] after, double seconds) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < before.length; i++) {
      out.add(round2((after[i] - before[i]) / seconds));
    }
    return out;
  }

  /** Per thread group, summed over the coordinators (their threads have the same names). */
  private static Map<String, Double> cpuSecondsByThread(List<CoordinatorProcess> all) {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (CoordinatorProcess c : all) {
      ProcStat.cpuSecondsByThread(c.pid()).forEach((k, v) -> out.merge(k, v, Double::sum));
    }
    return out;
  }

  private static long[] heapsAfterGc(List<CoordinatorProcess> all) throws Exception {
    long[] out = new long[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i).heapAfterGc();
    }
    return out;
  }

  private static long sum(long[] values) {
    return java.util.Arrays.stream(values).sum();
  }

  private static long rss(List<CoordinatorProcess> all) {
    return all.stream().mapToLong(c -> ProcStat.rssBytes(c.pid())).sum();
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

package dev.waterfall.loadtest.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.kit.processes.CoordinatorProcess;
import dev.waterfall.loadtest.kit.processes.HostLog;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.kit.relays.SyntheticSource;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.Series;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.store.SegmentStatus;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code failover}: three coordinator processes in one Hazelcast cluster; simulated signalling nodes (heart-beating,
 * a trickle of new joins going on) and a real origin with booster JVMs carrying a stream, spread over the three.
 * Under that load the coordinator holding the most sockets is SIGKILLed; its clients resume on the survivors with
 * their resume tokens. Measured: tree entries before/after (lost must be 0), places changed, resume time, joins on
 * the survivors during the failover against before, the relays' continuity through it, and the killed
 * coordinator's restart until it serves again in a cluster of three.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
    description = "Kill -9 one of 3 clustered coordinators under load: nothing lost, resume time, joins, relay "
        + "continuity, rejoin (run through ./waterfall: it makes the network namespace).")
public final class FailoverScenario extends Scenario {
  static final int COORDINATORS = 3;
  static final String STREAM = "failover";
  /** The coordinator's liveness.resumeGraceMs default (waterfall-defaults.properties). */
  static final long DEFAULT_RESUME_GRACE_MS = 15_000;

  @Option(names = "--nodes", defaultValue = "3000", description = "Simulated signalling nodes joined first (default ${DEFAULT-VALUE}).")
  int nodes;

  @Setting("joinRatePerSecond")
  @Option(names = "--join-rate", defaultValue = "20", description = "New nodes joining per second throughout (default ${DEFAULT-VALUE}).")
  double joinRate;

  @Option(names = "--relays", defaultValue = "3", description = "Booster JVMs carrying the stream (default ${DEFAULT-VALUE}).")
  int relays;

  @Option(names = "--before-seconds", defaultValue = "20", description = "Measured before the kill (default ${DEFAULT-VALUE}).")
  int beforeSeconds;

  @Option(names = "--failover-seconds", defaultValue = "30",
      description = "Kill → restart; longer than the coordinators' resume grace (liveness.resumeGraceMs, 15 s), so "
          + "a node that failed to resume would have been swept by then (default ${DEFAULT-VALUE}).")
  int failoverSeconds;

  @Option(names = "--after-seconds", defaultValue = "15", description = "Measured after the restarted coordinator serves (default ${DEFAULT-VALUE}).")
  int afterSeconds;

  @Setting(recorded = false)
  @Option(names = "--concurrency", defaultValue = "64", description = "Joins in flight at most while the first nodes join (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Setting("bitrateKbps")
  @Option(names = "--bitrate", defaultValue = "1500", description = "Stream bitrate in kbps (default ${DEFAULT-VALUE}).")
  int kbps;

  @Option(names = "--segment-ms", defaultValue = "2000", description = "Segment duration (default ${DEFAULT-VALUE}).")
  int segmentMs;

  @Option(names = "--playback-delay-ms", defaultValue = "6000",
      description = "A segment is due this long after the origin has it (as relay-tree) (default ${DEFAULT-VALUE}).")
  long playbackDelayMs;

  @Option(names = "--host-jvm-args", split = " ", defaultValue = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
      description = "JVM flags of each booster's JVM (default ${DEFAULT-VALUE}).")
  List<String> hostJvmArgs;

  @Setting(recorded = false)
  @Option(names = "--coordinator-jar", paramLabel = "JAR",
      description = "Coordinator to run (default: tree-coordinator/server/target/waterfall-coordinator.jar, else this jar's classes).")
  Path coordinatorJar;

  @Option(names = "--coordinator-heap", defaultValue = "1g", description = "Each coordinator's -Xmx (default ${DEFAULT-VALUE}).")
  String coordinatorHeap;

  @Setting(recorded = false)
  @Option(names = "--cluster-port", defaultValue = "17201", description = "First Hazelcast port; member i gets this + i (default ${DEFAULT-VALUE}).")
  int clusterPort;

  @Setting("coordinatorSettings")
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Passed to every coordinator as --set KEY=VALUE.")
  List<String> coordinatorSettings = new ArrayList<>();

  @Setting(recorded = false)
  @Option(names = "--coordinator-jvm-arg", paramLabel = "ARG", description = "Extra JVM flag for the coordinators (repeatable).")
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
    if (nodes < 1 || nodes > 15_000 || joinRate < 0 || joinRate > 500 || relays < 0 || relays > 16
        || beforeSeconds < 5 || failoverSeconds < 5 || afterSeconds < 5 || concurrency < 1 || kbps < 1
        || segmentMs < 100 || playbackDelayMs < 0) {
      throw new IllegalArgumentException("need 1 <= --nodes <= 15000, 0 <= --join-rate <= 500, 0 <= --relays <= 16, "
          + "--before-seconds, --failover-seconds, --after-seconds >= 5, --concurrency >= 1, --bitrate >= 1, "
          + "--segment-ms >= 100, --playback-delay-ms >= 0");
    }
    if (failoverSeconds * 1000L <= resumeGraceMs() + 2000) {
      throw new IllegalArgumentException("--failover-seconds must exceed the resume grace (" + resumeGraceMs()
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

  /** Wall-clock marks of the run, for the windows and the chart. */
  private static final class Marks {
    long loadStart;
    long kill;
    long restartStart;
    long restartServing;
    long end;
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode s = report.settings();
    s.put("coordinators", COORDINATORS);
    s.put("resumeGraceMs", resumeGraceMs());
    s.put("topology", "3 coordinator JVMs (one Hazelcast cluster), this JVM: the simulated nodes (node i on "
        + "coordinator i mod 3, the others next in its list) and the origin (coordinator 1 first); booster JVM i on "
        + "coordinator (i+1) mod 3 first; all inside one network namespace");
    report.note("everything shares this machine's " + Runtime.getRuntime().availableProcessors() + " cores: three "
        + "coordinators, the booster JVMs, the origin and the simulated clients");
    if (!verbose) {
      RelayRig.quiet();
    }
    Path dir = ReportDir.locate(common.reportsDir);
    Files.createDirectories(dir);
    List<String> extraArgs = new ArrayList<>();
    for (String kv : coordinatorSettings) {
      extraArgs.add("--set");
      extraArgs.add(kv);
    }
    extraArgs.add("--cluster-members");
    List<String> members = new ArrayList<>();
    for (int i = 0; i < COORDINATORS; i++) {
      members.add("127.0.0.1:" + (clusterPort + i));
    }
    extraArgs.add(String.join(",", members));

    CoordinatorProcess[] coordinators = new CoordinatorProcess[COORDINATORS];
    List<HostProcess> hosts = new ArrayList<>();
    Vertx originVertx = null;
    PeerFactory peers = null;
    Relay origin = null;
    Fleet clients = null;
    TreeReader trees = null;
    try {
      for (int i = 0; i < COORDINATORS; i++) {
        progress.phase("starting coordinator " + (i + 1) + "/" + COORDINATORS, 0);
        coordinators[i] = CoordinatorProcess.start(coordinatorJar, coordinatorHeap, coordinatorJvmArgs,
            clusterPort + i, dir.resolve("failover-coordinator-" + (i + 1) + ".log"), extraArgs);
      }
      s.put("coordinator", coordinators[0].launchedFrom());
      trees = new TreeReader(CoordinatorProcess.clusterName(), members);
      List<String> urls = new ArrayList<>();
      for (CoordinatorProcess c : coordinators) {
        urls.add(c.baseUrl());
      }
      String key = coordinators[0].createStream(STREAM);
      String boosterToken = coordinators[0].boosterToken();

      progress.phase("origin and " + relays + " booster JVMs", relays);
      SyntheticSource source = new SyntheticSource(kbps, segmentMs, System.currentTimeMillis() / segmentMs, 13);
      originVertx = Vertx.vertx();
      peers = new PeerFactory();
      origin = Relay.startOrigin(originVertx, peers, new Relay.Options(rotated(urls, 0), STREAM, key, "127.0.0.1", 0,
          null), SegmentSigner.generate(), source, r -> { });
      Path hostLog = dir.resolve("failover-relays.log");
      Files.deleteIfExists(hostLog);
      for (int i = 0; i < relays; i++) {
        hosts.add(spawn(i, rotated(urls, (i + 1) % COORDINATORS), boosterToken, hostLog));
      }

      long perSecondCapacity = (long) Math.ceil(joinRate * (beforeSeconds + failoverSeconds + afterSeconds + 240));
      clients = Fleet.resuming(urls, (int) Math.min(Integer.MAX_VALUE - 16, nodes + perSecondCapacity + 16));
      // One node first: its welcome says the heartbeat interval, so every node heart-beats from its join on.
      long interval = clients.join("first node", STREAM, "viewer", null, 1, 1, progress, Deadline.inMillis(60_000))
          .heartbeatIntervalMs;
      if (interval <= 0) {
        throw new IllegalStateException("the first node got no welcome: " + clients.failures());
      }
      s.put("heartbeatIntervalMs", interval);
      clients.startHeartbeats(interval, 10);
      clients.startLagProbe();
      clients.join("joining " + nodes + " nodes", STREAM, "viewer", null, nodes - 1, concurrency, progress,
          Deadline.inMillis(Math.max(1000, deadline.remainingMillis() - 60_000)));
      ObjectNode figures = report.figures();
      figures.put("initialJoined", clients.joined());
      figures.putPOJO("initialJoinFailures", clients.failures());

      progress.phase("boosters fed (first segment)", relays);
      Map<Long, Long> originAt = new TreeMap<>();
      long until = System.currentTimeMillis() + 180_000;
      long fedShown = 0;
      while (System.currentTimeMillis() < until && !deadline.passed()) {
        long fed = hosts.stream().filter(h -> h.log.firstSegmentAtMillis() > 0).count();
        progress.add(fed - fedShown);
        fedShown = fed;
        pollOrigin(origin, originAt);
        if (fed == relays) {
          break;
        }
        Thread.sleep(500);
      }
      if (fedShown < relays) {
        report.note((relays - fedShown) + " of " + relays + " boosters held no segment before the load started");
      }

      Marks marks = new Marks();
      marks.loadStart = System.currentTimeMillis();
      clients.startTrickle(STREAM, joinRate);
      double[] cpuAtStart = cpu(coordinators);
      progress.phase("before the kill: " + nodes + " nodes + " + joinRate + " joins/s", beforeSeconds);
      waitWindow(marks.loadStart + beforeSeconds * 1000L, origin, originAt, clients, progress, deadline, null);

      // The victim: the coordinator holding the most sockets.
      int victim = 0;
      int[] sessions = new int[COORDINATORS];
      for (int i = 0; i < COORDINATORS; i++) {
        sessions[i] = coordinators[i].health().path("sessions").asInt();
        if (sessions[i] > sessions[victim]) {
          victim = i;
        }
      }
      ObjectNode before = figures.putObject("beforeKill");
      before.putPOJO("sessionsPerCoordinator", sessions);
      before.put("clientsJoined", clients.joined());
      int survivorA = (victim + 1) % COORDINATORS;
      int survivorB = (victim + 2) % COORDINATORS;
      long[] heapBefore = {coordinators[survivorA].heapUsedBytes(), coordinators[survivorB].heapUsedBytes()};
      TreeSnapshot treeBefore = trees.read(STREAM);
      double[] cpuAtKill = cpu(coordinators);
      long relaysBeforeKill = hosts.stream().filter(h -> h.log.nodeId() != null).count();

      // kill -9
      marks.kill = System.currentTimeMillis();
      long dropsBefore = clients.dropped();
      long placesLostBefore = clients.placesLost();
      coordinators[victim].kill();
      figures.put("victim", victim + 1);
      figures.put("victimSessions", sessions[victim]);
      progress.phase("failover: coordinator " + (victim + 1) + " killed (" + sessions[victim] + " sockets)",
          failoverSeconds);
      AtomicLong allResumedAt = new AtomicLong(-1);
      AtomicLong membershipNoticedAt = new AtomicLong(-1);
      CoordinatorProcess a = coordinators[survivorA];
      CoordinatorProcess b = coordinators[survivorB];
      Fleet fleet = clients;
      waitWindow(marks.kill + failoverSeconds * 1000L, origin, originAt, clients, progress, deadline, () -> {
        long now = System.currentTimeMillis();
        if (allResumedAt.get() < 0 && fleet.dropped() > dropsBefore && fleet.resuming() == 0) {
          allResumedAt.set(now);
        }
        if (membershipNoticedAt.get() < 0 && clusterSize(a) == 2 && clusterSize(b) == 2) {
          membershipNoticedAt.set(now);
        }
        progress.extra("dropped " + (fleet.dropped() - dropsBefore) + ", resuming " + fleet.resuming()
            + ", resumed " + fleet.resumes().size());
      });
      double[] cpuAtRestart = cpu(coordinators);
      long[] heapAfter = {a.heapUsedBytes(), b.heapUsedBytes()};
      TreeSnapshot treeAfter = trees.read(STREAM);
      TreeDiff diff = TreeDiff.between(treeBefore, treeAfter);
      int[] perCoordinatorAfter = clients.perCoordinator();
      int stillResuming = clients.resuming();

      // Restart the killed coordinator on its cluster port; time it until it serves in a cluster of three.
      progress.phase("restarting coordinator " + (victim + 1), 0);
      marks.restartStart = System.currentTimeMillis();
      AtomicLong survivorsSawThree = new AtomicLong(-1);
      Thread watcher = new Thread(() -> {
        while (survivorsSawThree.get() < 0 && System.currentTimeMillis() < marks.restartStart + 120_000) {
          if (clusterSize(a) == 3 && clusterSize(b) == 3) {
            survivorsSawThree.set(System.currentTimeMillis());
            return;
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "failover-membership-watch");
      watcher.setDaemon(true);
      watcher.start();
      CoordinatorProcess restarted = CoordinatorProcess.start(coordinatorJar, coordinatorHeap, coordinatorJvmArgs,
          clusterPort + victim, dir.resolve("failover-coordinator-" + (victim + 1) + "-restarted.log"), extraArgs);
      marks.restartServing = System.currentTimeMillis();
      int sizeAtServing = clusterSize(restarted);
      coordinators[victim] = restarted;
      clients.setUrl(victim, restarted.baseUrl());
      watcher.join(10_000);

      progress.phase("after the restart", afterSeconds);
      waitWindow(marks.restartServing + afterSeconds * 1000L, origin, originAt, clients, progress, deadline, null);
      marks.end = System.currentTimeMillis();
      double[] cpuAtEnd = cpu(coordinators);
      clients.stopTrickle();
      TreeSnapshot treeEnd = trees.read(STREAM);
      TreeDiff diffEnd = TreeDiff.between(treeBefore, treeEnd);
      // Segments due just before the end may still arrive: give them their deadline.
      progress.phase("last segments' deadline", 0);
      long settleUntil = System.currentTimeMillis() + Math.min(playbackDelayMs, 10_000);
      while (System.currentTimeMillis() < settleUntil) {
        pollOrigin(origin, originAt);
        Thread.sleep(200);
      }

      // --- figures
      ObjectNode tree = figures.putObject("tree");
      tree.put("entriesBefore", diff.before());
      tree.put("entriesAfterFailover", diff.after());
      tree.put("lost", diff.lost().size());
      tree.putPOJO("lostByRole", diff.lostByRole());
      tree.putPOJO("lostSample", diff.lost().stream().limit(20).toList());
      tree.put("parentChanged", diff.moved());
      tree.put("joinedMeanwhile", diff.added());
      tree.put("notConnectedAfterFailover", diff.disconnectedAfter());
      tree.put("entriesAtEnd", diffEnd.after());
      tree.put("lostAtEnd", diffEnd.lost().size());
      tree.put("parentChangedAtEnd", diffEnd.moved());
      tree.put("notConnectedAtEnd", diffEnd.disconnectedAfter());
      tree.put("method", "the coordinators' tree snapshot query (through a Hazelcast client, not GET /tree: see "
          + "TreeReader) just before the kill, at the end of the failover window (after the resume grace, when the "
          + "oldest member sweeps what did not resume) and at the end; lost = entries of the first missing from the later; nobody leaves on purpose in this run");
      figures.put("treeEntriesLost", diffEnd.lost().size());

      ObjectNode fo = figures.putObject("failover");
      long dropped = clients.dropped() - dropsBefore;
      fo.put("socketsDropped", dropped);
      fo.put("stillResumingAtRestart", stillResuming);
      long placesLost = clients.placesLost() - placesLostBefore;
      fo.put("placesLost", placesLost);
      fo.put("placesLostBeforeKill", placesLostBefore);
      fo.setAll(Resumes.summarise(clients.resumes(), marks.kill));
      JsonNode resumeMs = fo.path("resumeMs");
      if (resumeMs.has("p50Ms")) {
        figures.set("resumeP50Ms", resumeMs.get("p50Ms"));
        figures.set("resumeP95Ms", resumeMs.get("p95Ms"));
        figures.set("resumeMaxMs", resumeMs.get("maxMs"));
      }
      fo.put("allResumedAfterMs", allResumedAt.get() < 0 ? -1 : allResumedAt.get() - marks.kill);
      fo.put("survivorsSawMemberLeaveAfterMs", membershipNoticedAt.get() < 0 ? -1 : membershipNoticedAt.get() - marks.kill);
      fo.putPOJO("clientsPerCoordinatorAfter", perCoordinatorAfter);
      fo.putPOJO("droppedByCoordinatorWholeRun", clients.dropsByCoordinator());
      ObjectNode lag = figures.putObject("clientLoopLagMs");
      lag.put("method", "how late a 100 ms timer fired on the simulated clients' event loop: when high, the client "
          + "process (not a coordinator) was starved of CPU and its heartbeats and reconnects were late too");
      for (JoinWindow w : List.of(new JoinWindow("before", marks.loadStart, marks.kill),
          new JoinWindow("failover", marks.kill, marks.restartStart),
          new JoinWindow("afterRestart", marks.restartServing, marks.end))) {
        Histogram h = Latency.histogram();
        clients.loopLag().stream().filter(x -> w.contains(x[0])).forEach(x -> h.recordValue(x[1] * 1_000_000));
        lag.set(w.name(), Latency.summary(h, Latency.Unit.MILLIS));
      }
      fo.put("connectFailures", clients.connectFailures());

      ObjectNode rejoin = figures.putObject("rejoin");
      rejoin.put("startToServingMs", marks.restartServing - marks.restartStart);
      rejoin.put("clusterSizeWhenServing", sizeAtServing);
      rejoin.put("survivorsSawThreeAfterMs", survivorsSawThree.get() < 0 ? -1 : survivorsSawThree.get() - marks.restartStart);
      long firstJoin = clients.joins().stream().filter(j -> j.coordinator() == figures.get("victim").asInt() - 1
          && j.atMillis() >= marks.restartServing).mapToLong(Fleet.JoinSample::atMillis).min().orElse(-1);
      rejoin.put("firstJoinServedAfterStartMs", firstJoin < 0 ? -1 : firstJoin - marks.restartStart);
      rejoin.put("method", "process start → /health answers (polled every 200 ms; Hazelcast joins the cluster before "
          + "HTTP listens, so clusterSizeWhenServing says whether it joined); survivors' /health clusterSize polled "
          + "every 50 ms; first trickle join welcomed by it");
      figures.put("rejoinMs", marks.restartServing - marks.restartStart);

      JoinWindow wBefore = new JoinWindow("before", marks.loadStart, marks.kill);
      JoinWindow wFailover = new JoinWindow("failover", marks.kill, marks.restartStart);
      JoinWindow wAfter = new JoinWindow("after restart", marks.restartServing, marks.end);
      ObjectNode joins = figures.putObject("joins");
      joins.put("offeredPerSecond", joinRate);
      joins.set("before", wBefore.summarise(clients.joins()));
      joins.set("failover", wFailover.summarise(clients.joins()));
      ObjectNode firstTen = new JoinWindow("first 10 s", marks.kill, Math.min(marks.restartStart, marks.kill + 10_000))
          .summarise(clients.joins());
      joins.set("failoverFirst10s", firstTen);
      joins.set("afterRestart", wAfter.summarise(clients.joins()));
      joins.putPOJO("failures", clients.failures());
      double[] perSecond = JoinWindow.perSecond(clients.joins(), marks.loadStart, marks.end);
      ArrayNode timeline = joins.putArray("timeline");
      for (int i = 0; i < perSecond.length; i++) {
        timeline.addObject().put("secondsFromKill", (marks.loadStart - marks.kill) / 1000.0 + i)
            .put("joins", perSecond[i]);
      }
      joins.put("killAtSecondsFromKill", 0);
      joins.put("restartAtSecondsFromKill", (marks.restartStart - marks.kill) / 1000.0);
      joins.put("servingAtSecondsFromKill", (marks.restartServing - marks.kill) / 1000.0);

      ObjectNode surv = figures.putObject("survivors");
      ArrayNode each = surv.putArray("each");
      int[] survivors = {survivorA, survivorB};
      for (int k = 0; k < 2; k++) {
        int i = survivors[k];
        each.addObject().put("coordinator", i + 1)
            .put("cpuCoresBefore", cores(cpuAtStart[i], cpuAtKill[i], marks.kill - marks.loadStart))
            .put("cpuCoresFailover", cores(cpuAtKill[i], cpuAtRestart[i], marks.restartStart - marks.kill))
            .put("cpuCoresAfterRestart", cores(cpuAtRestart[i], cpuAtEnd[i], marks.end - marks.restartStart))
            .put("heapUsedBeforeBytes", heapBefore[k]).put("heapUsedAfterFailoverBytes", heapAfter[k])
            .put("rssAtEndBytes", ProcStat.rssBytes(coordinators[i].pid()))
            .put("sessionsAtEnd", coordinators[i].health().path("sessions").asInt());
      }
      surv.put("restartedSessionsAtEnd", restarted.health().path("sessions").asInt());
      surv.put("method", "CPU from /proc/<pid>/stat over each window; heap = jvm_memory_used_bytes{area=heap} "
          + "under load (no GC forced: it would stall the survivors mid-failover)");

      ObjectNode relayFigures = figures.putObject("relays");
      relayFigures.put("relays", relays);
      relayFigures.put("joinedBeforeKill", relaysBeforeKill);
      ObjectNode whole = continuity(hosts, originAt, marks.loadStart, marks.end);
      ObjectNode through = continuity(hosts, originAt, marks.kill, marks.restartStart);
      relayFigures.set("wholeRun", whole);
      relayFigures.set("failoverWindow", through);
      long parentChanges = 0;
      for (HostProcess h : hosts) {
        for (HostLog.Change c : h.log.parents()) {
          if (c.atMillis() >= marks.kill && c.atMillis() < marks.restartStart) {
            parentChanges++;
          }
        }
      }
      relayFigures.put("parentChangesInFailoverWindow", parentChanges);
      relayFigures.put("method", "as relay-tree: a (relay, segment) is due when the origin completed it inside the "
          + "window after the relay's first segment; on time when the relay held it complete by origin time + "
          + playbackDelayMs + " ms; stalls = due − on time");
      figures.put("continuity", whole.get("continuity").asDouble());
      figures.put("stalls", whole.get("stalls").asLong());
      figures.put("viewers", nodes + relays);
      figures.put("bitrateKbps", kbps);
      figures.put("heartbeatsSent", clients.heartbeatsSent());
      figures.putPOJO("messagesReceived", clients.received());

      report.target(Target.atMost("tree entries lost (before the kill → end)", diffEnd.lost().size(), 0, "entries"));
      report.target(Target.atMost("places lost after the kill (resume refused: unknown-node)", placesLost, 0, "nodes"));
      report.target(Target.atLeast("dropped sockets that resumed their place", dropped == 0 ? 0
          : (double) clients.resumes().size() / dropped, 1.0, "share"));
      if (resumeMs.has("maxMs")) {
        // A place is kept for the grace period only: every resume must land inside it.
        report.target(Target.atMost("resume max (socket drop → resumed welcome) within the resume grace",
            resumeMs.get("maxMs").asDouble(), resumeGraceMs(), "ms"));
      }
      if (relays > 0) {
        report.target(Target.atMost("relay stalls through the failover", through.get("stalls").asLong(), 0, "segments"));
      }
      report.target(Target.atLeast("restarted coordinator back in a cluster of 3", sizeAtServing, 3, "members"));
      report.note("joins during the failover are offered at a fixed rate (" + joinRate + "/s): the rate achieved "
          + "shows whether the survivors kept up; join → welcome is the coordinator's part, open → welcome includes "
          + "a node's connect retries when its first coordinator is the dead one");
      report.note("the tree snapshot just before the kill (one query over the whole tree on its partition, the "
          + "result Java-serialised) may delay the joins around it: a dip in joins/s just before 0");
      report.note("parentChanged counts every tree entry whose parent differs before/after, whatever moved it: "
          + "the trickle's joins move nodes too (a joiner with more slots takes a weaker viewer's place)");
      if (deadline.passed()) {
        report.incomplete("time budget of " + common.maxSeconds + " s spent");
      }
    } finally {
      progress.phase("stopping", 0);
      hosts.forEach(HostProcess::destroy);
      if (clients != null) {
        try {
          clients.close();
        } catch (Exception e) {
          report.note("closing the clients: " + e);
        }
      }
      if (origin != null) {
        origin.close();
      }
      if (peers != null) {
        peers.close();
      }
      if (originVertx != null) {
        originVertx.close();
      }
      if (trees != null) {
        trees.close();
      }
      for (CoordinatorProcess c : coordinators) {
        if (c != null) {
          c.close();
        }
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

  private HostProcess spawn(int index, List<String> urls, String token, Path log) throws Exception {
    return new HostProcess(index, HostProcess.command(hostJvmArgs, String.join(",", urls), STREAM, token), log);
  }

  /** Sleeps in 200 ms steps until {@code endMillis}, polling the origin's segments and ticking the progress line. */
  private static void waitWindow(long endMillis, Relay origin, Map<Long, Long> originAt, Fleet clients,
                                 Progress progress, Deadline deadline, Runnable each) throws Exception {
    long start = System.currentTimeMillis();
    long shown = 0;
    while (System.currentTimeMillis() < endMillis && !deadline.passed()) {
      pollOrigin(origin, originAt);
      if (each != null) {
        each.run();
      } else {
        progress.extra(clients.joined() + " joined");
      }
      long elapsed = (System.currentTimeMillis() - start) / 1000;
      progress.add(elapsed - shown);
      shown = elapsed;
      Thread.sleep(200);
    }
  }

  private static void pollOrigin(Relay origin, Map<Long, Long> originAt) throws Exception {
    List<Long> seqs = RelayRig.sequences(origin).stream().filter(q -> !originAt.containsKey(q)).toList();
    for (Map.Entry<Long, SegmentStatus> e : RelayRig.statuses(origin, seqs).entrySet()) {
      if (e.getValue().complete()) {
        originAt.put(e.getKey(), e.getValue().completeAtMillis());
      }
    }
  }

  private static int clusterSize(CoordinatorProcess c) {
    try {
      return c.health().path("clusterSize").asInt(-1);
    } catch (Exception e) {
      return -1;
    }
  }

  private static double[] cpu(CoordinatorProcess[] all) {
    double[] out = new double[all.length];
    for (int i = 0; i < all.length; i++) {
      out[i] = ProcStat.cpuSeconds(all[i].pid());
    }
    return out;
  }

  private static double cores(double from, double to, long millis) {
    return millis <= 0 || from < 0 || to < 0 ? -1 : Math.round((to - from) / (millis / 1000.0) * 100) / 100.0;
  }

  /** Due, on-time and never-complete (relay, segment) pairs for segments the origin completed in [from, to). */
  private ObjectNode continuity(List<HostProcess> hosts, Map<Long, Long> originAt, long from, long to) {
    long due = 0;
    long onTime = 0;
    long missing = 0;
    for (HostProcess h : hosts) {
      long first = h.log.firstSegmentAtMillis();
      if (h.log.nodeId() == null || first < 0) {
        continue;
      }
      Map<Long, Long> segs = h.log.segments();
      for (Map.Entry<Long, Long> o : originAt.entrySet()) {
        long published = o.getValue();
        if (published < from || published >= to || published < first) {
          continue;
        }
        due++;
        Long complete = segs.get(o.getKey());
        if (complete == null) {
          missing++;
        } else if (complete <= published + playbackDelayMs) {
          onTime++;
        }
      }
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("segmentsDue", due);
    o.put("onTime", onTime);
    o.put("neverComplete", missing);
    o.put("stalls", due - onTime);
    o.put("continuity", due == 0 ? 1.0 : Math.round((double) onTime / due * 100_000) / 100_000.0);
    return o;
  }

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    Report.copyPresent(figures, common, "viewers", "bitrateKbps", "continuity", "stalls");
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
      double width = Math.max(50, Math.ceil(max / 20 / 50) * 50); // ≤ 20 buckets of a multiple of 50 ms
      int buckets = (int) Math.floor(max / width) + 1;
      double[] counts = new double[buckets];
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < buckets; i++) {
        labels.add(SvgChart.format(i * width) + "–");
      }
      for (double t : times) {
        counts[(int) Math.min(buckets - 1, Math.floor(t / width))]++;
      }
      out.add(SvgChart.bars("Resume time (socket dropped by the kill → resumed welcome on a survivor)", "ms",
          "nodes", labels).bar("nodes", counts));
    }
    JsonNode timeline = figures.path("joins").path("timeline");
    if (timeline.size() > 0) {
      double[] y = Series.of(timeline, "joins");
      double top = 1;
      for (double v : y) {
        top = Math.max(top, v);
      }
      JsonNode j = figures.path("joins");
      SvgChart chart = SvgChart.lines("Joins welcomed per second (trickle), 0 = kill -9", "seconds from the kill",
              "joins/s").line("joins/s", Series.of(timeline, "secondsFromKill"), y)
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

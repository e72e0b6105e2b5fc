package dev.waterfall.loadtest.failover;

import static dev.waterfall.loadtest.failover.FailoverScenario.COORDINATORS;
import static dev.waterfall.loadtest.failover.FailoverScenario.STREAM;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.kit.processes.HostLog;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import dev.waterfall.loadtest.kit.processes.LoadCoordinator;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.kit.relays.SyntheticSource;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.testkit.process.CoordinatorProcess;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One {@link FailoverScenario} run as its phases, in order: {@link #setUp}, {@link #steadyState},
 * {@link #kill}, {@link #restart}, {@link #figures}. Each leaves what the later ones measure in the
 * fields below; closing stops whatever was started, also after a phase failed.
 */
final class FailoverRun implements AutoCloseable {
  /** Wall-clock marks of the run, for the windows and the chart. */
  private static final class Marks {
    long loadStart;
    long kill;
    long restartStart;
    long restartServing;
    long end;
  }

  private final FailoverScenario options;
  private final Report report;
  private final ObjectNode settings;
  private final ObjectNode figures;
  private final Deadline deadline;
  private final Progress progress;

  /** Where the coordinators' and boosters' logs go. */
  private final Path dir;

  // set up
  private final List<String> members = new ArrayList<>();
  private final CoordinatorProcess[] coordinators = new CoordinatorProcess[COORDINATORS];
  private final List<HostProcess> hosts = new ArrayList<>();
  private Vertx originVertx;
  private PeerFactory peers;
  private Relay origin;
  private Fleet clients;
  private TreeReader trees;

  /**
   * Segment → when the origin completed it (wall ms): the boosters' continuity is measured against
   * it.
   */
  private final Map<Long, Long> originAt = new TreeMap<>();

  private final Marks marks = new Marks();
  // steady state
  private double[] cpuAtStart;
  // kill
  private int victim;
  private int[] sessions;
  private int survivorA;
  private int survivorB;
  private long[] heapBefore;
  private TreeSnapshot treeBefore;
  private double[] cpuAtKill;
  private long relaysBeforeKill;
  private long dropsBefore;
  private long placesLostBefore;
  private final AtomicLong allResumedAt = new AtomicLong(-1);
  private final AtomicLong membershipNoticedAt = new AtomicLong(-1);
  private double[] cpuAtRestart;
  private long[] heapAfter;
  private TreeDiff diff;
  private int[] perCoordinatorAfter;
  private int stillResuming;
  // restart
  private final AtomicLong survivorsSawThree = new AtomicLong(-1);
  private CoordinatorProcess restarted;
  private int sizeAtServing;
  private double[] cpuAtEnd;
  private TreeDiff diffEnd;
  // figures
  private long dropped;
  private long placesLost;

  FailoverRun(
      FailoverScenario options, Report report, Path dir, Deadline deadline, Progress progress) {
    this.options = options;
    this.report = report;
    this.settings = report.settings();
    this.figures = report.figures();
    this.dir = dir;
    this.deadline = deadline;
    this.progress = progress;
  }

  /**
   * Three clustered coordinators, the origin and its boosters, then the nodes: one first (its
   * welcome says the heartbeat interval), the others at --concurrency.
   */
  void setUp() throws Exception {
    members.addAll(
        List.of(CoordinatorProcess.clusterMembers(options.clusterPort, COORDINATORS).split(",")));
    for (int i = 0; i < COORDINATORS; i++) {
      progress.phase("starting coordinator " + (i + 1) + "/" + COORDINATORS, 0);
      coordinators[i] = start(options.clusterPort + i, "failover-coordinator-" + (i + 1) + ".log");
    }
    settings.put("coordinator", coordinators[0].launchedFrom());
    trees = new TreeReader(LoadCoordinator.clusterName(), members);
    List<String> urls = new ArrayList<>();
    for (CoordinatorProcess c : coordinators) {
      urls.add(c.baseUrl());
    }
    String key = coordinators[0].createStream(STREAM);
    String boosterToken = coordinators[0].boosterToken();

    progress.phase("origin and " + options.relays + " booster JVMs", options.relays);
    int segmentMs = options.feed.segmentMs;
    SyntheticSource source =
        new SyntheticSource(
            options.feed.kbps, segmentMs, System.currentTimeMillis() / segmentMs, 13);
    originVertx = Vertx.vertx();
    peers = new PeerFactory();
    origin =
        Relay.startOrigin(
            originVertx,
            peers,
            new Relay.Options(FailoverScenario.rotated(urls, 0), STREAM, key, "127.0.0.1", 0, null),
            SegmentSigner.generate(),
            source,
            r -> {});
    Path hostLog = dir.resolve("failover-relays.log");
    Files.deleteIfExists(hostLog);
    for (int i = 0; i < options.relays; i++) {
      hosts.add(
          spawn(i, FailoverScenario.rotated(urls, (i + 1) % COORDINATORS), boosterToken, hostLog));
    }

    long perSecondCapacity =
        (long)
            Math.ceil(
                options.joinRate
                    * (options.beforeSeconds
                        + options.failoverSeconds
                        + options.afterSeconds
                        + 240));
    clients =
        Fleet.resuming(
            urls, (int) Math.min(Integer.MAX_VALUE - 16, options.nodes + perSecondCapacity + 16));
    // One node first: its welcome says the heartbeat interval, so every node heart-beats from its
    // join on.
    long interval =
        clients.join(
                "first node", STREAM, "viewer", null, 1, 1, progress, Deadline.inMillis(60_000))
            .heartbeatIntervalMs;
    if (interval <= 0) {
      throw new IllegalStateException("the first node got no welcome: " + clients.failures());
    }
    settings.put("heartbeatIntervalMs", interval);
    clients.startHeartbeats(interval, 10);
    clients.startLagProbe();
    clients.join(
        "joining " + options.nodes + " nodes",
        STREAM,
        "viewer",
        null,
        options.nodes - 1,
        options.concurrency,
        progress,
        Deadline.inMillis(Math.max(1000, deadline.remainingMillis() - 60_000)));
    figures.put("initialJoined", clients.joined());
    figures.putPOJO("initialJoinFailures", clients.failures());
  }

  /** The boosters fed, then the load (the nodes, a trickle of joins) for --before-seconds. */
  void steadyState() throws Exception {
    progress.phase("boosters fed (first segment)", options.relays);
    long until = System.currentTimeMillis() + 180_000;
    long fedShown = 0;
    while (System.currentTimeMillis() < until && !deadline.passed()) {
      long fed = hosts.stream().filter(h -> h.log.firstSegmentAtMillis() > 0).count();
      progress.add(fed - fedShown);
      fedShown = fed;
      RelayRig.recordCompleted(origin, originAt);
      if (fed == options.relays) {
        break;
      }
      Thread.sleep(500);
    }
    if (fedShown < options.relays) {
      report.note(
          (options.relays - fedShown)
              + " of "
              + options.relays
              + " boosters held no segment before the load started");
    }

    marks.loadStart = System.currentTimeMillis();
    clients.startTrickle(STREAM, options.joinRate);
    cpuAtStart = cpu(coordinators);
    progress.phase(
        "before the kill: " + options.nodes + " nodes + " + options.joinRate + " joins/s",
        options.beforeSeconds);
    waitWindow(
        marks.loadStart + options.beforeSeconds * 1000L,
        origin,
        originAt,
        clients,
        progress,
        deadline,
        null);
  }

  /**
   * kill -9 of the coordinator holding the most sockets, then the failover window: drops, resumes,
   * the survivors noticing; the tree compared with before.
   */
  void kill() throws Exception {
    // The victim: the coordinator holding the most sockets.
    victim = 0;
    sessions = new int[COORDINATORS];
    for (int i = 0; i < COORDINATORS; i++) {
      sessions[i] = coordinators[i].health().path("sessions").asInt();
      if (sessions[i] > sessions[victim]) {
        victim = i;
      }
    }
    ObjectNode before = figures.putObject("beforeKill");
    before.putPOJO("sessionsPerCoordinator", sessions);
    before.put("clientsJoined", clients.joined());
    survivorA = (victim + 1) % COORDINATORS;
    survivorB = (victim + 2) % COORDINATORS;
    heapBefore =
        new long[] {
          LoadCoordinator.heapUsedBytes(coordinators[survivorA]),
          LoadCoordinator.heapUsedBytes(coordinators[survivorB])
        };
    treeBefore = trees.read(STREAM);
    cpuAtKill = cpu(coordinators);
    relaysBeforeKill = hosts.stream().filter(h -> h.log.nodeId() != null).count();

    // kill -9
    marks.kill = System.currentTimeMillis();
    dropsBefore = clients.dropped();
    placesLostBefore = clients.placesLost();
    coordinators[victim].kill9();
    figures.put("victim", victim + 1);
    figures.put("victimSessions", sessions[victim]);
    progress.phase(
        "failover: coordinator " + (victim + 1) + " killed (" + sessions[victim] + " sockets)",
        options.failoverSeconds);
    CoordinatorProcess a = coordinators[survivorA];
    CoordinatorProcess b = coordinators[survivorB];
    waitWindow(
        marks.kill + options.failoverSeconds * 1000L,
        origin,
        originAt,
        clients,
        progress,
        deadline,
        () -> {
          long now = System.currentTimeMillis();
          if (allResumedAt.get() < 0
              && clients.dropped() > dropsBefore
              && clients.resuming() == 0) {
            allResumedAt.set(now);
          }
          if (membershipNoticedAt.get() < 0 && clusterSize(a) == 2 && clusterSize(b) == 2) {
            membershipNoticedAt.set(now);
          }
          progress.extra(
              "dropped "
                  + (clients.dropped() - dropsBefore)
                  + ", resuming "
                  + clients.resuming()
                  + ", resumed "
                  + clients.resumes().size());
        });
    cpuAtRestart = cpu(coordinators);
    heapAfter = new long[] {LoadCoordinator.heapUsedBytes(a), LoadCoordinator.heapUsedBytes(b)};
    TreeSnapshot treeAfter = trees.read(STREAM);
    diff = TreeDiff.between(treeBefore, treeAfter);
    perCoordinatorAfter = clients.perCoordinator();
    stillResuming = clients.resuming();
  }

  /**
   * The killed coordinator restarted on its cluster port and timed until it serves in a cluster of
   * three; then the window after it, and the last segments' deadline.
   */
  void restart() throws Exception {
    CoordinatorProcess a = coordinators[survivorA];
    CoordinatorProcess b = coordinators[survivorB];
    progress.phase("restarting coordinator " + (victim + 1), 0);
    marks.restartStart = System.currentTimeMillis();
    Thread watcher =
        new Thread(
            () -> {
              while (survivorsSawThree.get() < 0
                  && System.currentTimeMillis() < marks.restartStart + 120_000) {
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
            },
            "failover-membership-watch");
    watcher.setDaemon(true);
    watcher.start();
    restarted =
        start(
            options.clusterPort + victim,
            "failover-coordinator-" + (victim + 1) + "-restarted.log");
    marks.restartServing = System.currentTimeMillis();
    sizeAtServing = clusterSize(restarted);
    coordinators[victim] = restarted;
    clients.setUrl(victim, restarted.baseUrl());
    watcher.join(10_000);

    progress.phase("after the restart", options.afterSeconds);
    waitWindow(
        marks.restartServing + options.afterSeconds * 1000L,
        origin,
        originAt,
        clients,
        progress,
        deadline,
        null);
    marks.end = System.currentTimeMillis();
    cpuAtEnd = cpu(coordinators);
    clients.stopTrickle();
    TreeSnapshot treeEnd = trees.read(STREAM);
    diffEnd = TreeDiff.between(treeBefore, treeEnd);
    // Segments due just before the end may still arrive: give them their deadline.
    progress.phase("last segments' deadline", 0);
    long settleUntil = System.currentTimeMillis() + Math.min(options.playbackDelayMs, 10_000);
    while (System.currentTimeMillis() < settleUntil) {
      RelayRig.recordCompleted(origin, originAt);
      Thread.sleep(200);
    }
  }

  /** Every figure and target, from what the phases left. */
  void figures() throws Exception {
    treeFigures();
    failoverFigures();
    rejoinFigures();
    joinFigures();
    survivorFigures();
    relayFigures();
    targets();
  }

  private void treeFigures() {
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
    tree.put(
        "method",
        "the coordinators' tree snapshot query (through a Hazelcast client, not GET /tree: see "
            + "TreeReader) just before the kill, at the end of the failover window (after the resume grace, when the "
            + "oldest member sweeps what did not resume) and at the end; lost = entries of the first missing from the later; nobody leaves on purpose in this run");
    figures.put("treeEntriesLost", diffEnd.lost().size());
  }

  private void failoverFigures() {
    ObjectNode fo = figures.putObject("failover");
    dropped = clients.dropped() - dropsBefore;
    fo.put("socketsDropped", dropped);
    fo.put("stillResumingAtRestart", stillResuming);
    placesLost = clients.placesLost() - placesLostBefore;
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
    fo.put(
        "survivorsSawMemberLeaveAfterMs",
        membershipNoticedAt.get() < 0 ? -1 : membershipNoticedAt.get() - marks.kill);
    fo.putPOJO("clientsPerCoordinatorAfter", perCoordinatorAfter);
    fo.putPOJO("droppedByCoordinatorWholeRun", clients.dropsByCoordinator());
    ObjectNode lag = figures.putObject("clientLoopLagMs");
    lag.put(
        "method",
        "how late a 100 ms timer fired on the simulated clients' event loop: when high, the client "
            + "process (not a coordinator) was starved of CPU and its heartbeats and reconnects were late too");
    for (JoinWindow w :
        List.of(
            new JoinWindow("before", marks.loadStart, marks.kill),
            new JoinWindow("failover", marks.kill, marks.restartStart),
            new JoinWindow("afterRestart", marks.restartServing, marks.end))) {
      Histogram h = Latency.histogram();
      clients.loopLag().stream()
          .filter(x -> w.contains(x[0]))
          .forEach(x -> h.recordValue(x[1] * 1_000_000));
      lag.set(w.name(), Latency.summary(h, Latency.Unit.MILLIS));
    }
    fo.put("connectFailures", clients.connectFailures());
  }

  private void rejoinFigures() {
    ObjectNode rejoin = figures.putObject("rejoin");
    rejoin.put("startToServingMs", marks.restartServing - marks.restartStart);
    rejoin.put("clusterSizeWhenServing", sizeAtServing);
    rejoin.put(
        "survivorsSawThreeAfterMs",
        survivorsSawThree.get() < 0 ? -1 : survivorsSawThree.get() - marks.restartStart);
    long firstJoin =
        clients.joins().stream()
            .filter(
                j ->
                    j.coordinator() == figures.get("victim").asInt() - 1
                        && j.atMillis() >= marks.restartServing)
            .mapToLong(Fleet.JoinSample::atMillis)
            .min()
            .orElse(-1);
    rejoin.put("firstJoinServedAfterStartMs", firstJoin < 0 ? -1 : firstJoin - marks.restartStart);
    rejoin.put(
        "method",
        "process start → /health answers (polled every 200 ms; Hazelcast joins the cluster before "
            + "HTTP listens, so clusterSizeWhenServing says whether it joined); survivors' /health clusterSize polled "
            + "every 50 ms; first trickle join welcomed by it");
    figures.put("rejoinMs", marks.restartServing - marks.restartStart);
  }

  private void joinFigures() {
    JoinWindow wBefore = new JoinWindow("before", marks.loadStart, marks.kill);
    JoinWindow wFailover = new JoinWindow("failover", marks.kill, marks.restartStart);
    JoinWindow wAfter = new JoinWindow("after restart", marks.restartServing, marks.end);
    ObjectNode joins = figures.putObject("joins");
    joins.put("offeredPerSecond", options.joinRate);
    joins.set("before", wBefore.summarise(clients.joins()));
    joins.set("failover", wFailover.summarise(clients.joins()));
    ObjectNode firstTen =
        new JoinWindow("first 10 s", marks.kill, Math.min(marks.restartStart, marks.kill + 10_000))
            .summarise(clients.joins());
    joins.set("failoverFirst10s", firstTen);
    joins.set("afterRestart", wAfter.summarise(clients.joins()));
    joins.putPOJO("failures", clients.failures());
    double[] perSecond = JoinWindow.perSecond(clients.joins(), marks.loadStart, marks.end);
    ArrayNode timeline = joins.putArray("timeline");
    for (int i = 0; i < perSecond.length; i++) {
      timeline
          .addObject()
          .put("secondsFromKill", (marks.loadStart - marks.kill) / 1000.0 + i)
          .put("joins", perSecond[i]);
    }
    joins.put("killAtSecondsFromKill", 0);
    joins.put("restartAtSecondsFromKill", (marks.restartStart - marks.kill) / 1000.0);
    joins.put("servingAtSecondsFromKill", (marks.restartServing - marks.kill) / 1000.0);
  }

  private void survivorFigures() throws Exception {
    ObjectNode surv = figures.putObject("survivors");
    ArrayNode each = surv.putArray("each");
    int[] survivors = {survivorA, survivorB};
    for (int k = 0; k < 2; k++) {
      int i = survivors[k];
      each.addObject()
          .put("coordinator", i + 1)
          .put("cpuCoresBefore", cores(cpuAtStart[i], cpuAtKill[i], marks.kill - marks.loadStart))
          .put(
              "cpuCoresFailover",
              cores(cpuAtKill[i], cpuAtRestart[i], marks.restartStart - marks.kill))
          .put(
              "cpuCoresAfterRestart",
              cores(cpuAtRestart[i], cpuAtEnd[i], marks.end - marks.restartStart))
          .put("heapUsedBeforeBytes", heapBefore[k])
          .put("heapUsedAfterFailoverBytes", heapAfter[k])
          .put("rssAtEndBytes", ProcStat.rssBytes(coordinators[i].pid()))
          .put("sessionsAtEnd", coordinators[i].health().path("sessions").asInt());
    }
    surv.put("restartedSessionsAtEnd", restarted.health().path("sessions").asInt());
    surv.put(
        "method",
        "CPU from /proc/<pid>/stat over each window; heap = jvm_memory_used_bytes{area=heap} "
            + "under load (no GC forced: it would stall the survivors mid-failover)");
  }

  private void relayFigures() {
    ObjectNode relayFigures = figures.putObject("relays");
    relayFigures.put("relays", options.relays);
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
    relayFigures.put(
        "method",
        "as relay-tree: a (relay, segment) is due when the origin completed it inside the "
            + "window after the relay's first segment; on time when the relay held it complete by origin time + "
            + options.playbackDelayMs
            + " ms; stalls = due − on time");
    figures.put("continuity", whole.get("continuity").asDouble());
    figures.put("stalls", whole.get("stalls").asLong());
    figures.put("viewers", options.nodes + options.relays);
    figures.put("bitrateKbps", options.feed.kbps);
    figures.put("heartbeatsSent", clients.heartbeatsSent());
    figures.putPOJO("messagesReceived", clients.received());
  }

  private void targets() {
    JsonNode resumeMs = figures.path("failover").path("resumeMs");
    JsonNode through = figures.path("relays").path("failoverWindow");
    report.target(
        Target.atMost(
            "tree entries lost (before the kill → end)", diffEnd.lost().size(), 0, "entries"));
    report.target(
        Target.atMost(
            "places lost after the kill (resume refused: unknown-node)", placesLost, 0, "nodes"));
    report.target(
        Target.atLeast(
            "dropped sockets that resumed their place",
            dropped == 0 ? 0 : (double) clients.resumes().size() / dropped,
            1.0,
            "share"));
    if (resumeMs.has("maxMs")) {
      // A place is kept for the grace period only: every resume must land inside it.
      report.target(
          Target.atMost(
              "resume max (socket drop → resumed welcome) within the resume grace",
              resumeMs.get("maxMs").asDouble(),
              options.resumeGraceMs(),
              "ms"));
    }
    if (options.relays > 0) {
      report.target(
          Target.atMost(
              "relay stalls through the failover", through.get("stalls").asLong(), 0, "segments"));
    }
    report.target(
        Target.atLeast(
            "restarted coordinator back in a cluster of 3", sizeAtServing, 3, "members"));
    report.note(
        "joins during the failover are offered at a fixed rate ("
            + options.joinRate
            + "/s): the rate achieved "
            + "shows whether the survivors kept up; join → welcome is the coordinator's part, open → welcome includes "
            + "a node's connect retries when its first coordinator is the dead one");
    report.note(
        "the tree snapshot just before the kill (one query over the whole tree on its partition, the "
            + "result Java-serialised) may delay the joins around it: a dip in joins/s just before 0");
    report.note(
        "parentChanged counts every tree entry whose parent differs before/after, whatever moved it: "
            + "the trickle's joins move nodes too (a joiner with more slots takes a weaker viewer's place)");
  }

  /** Stops everything the phases started, the nodes and boosters first. */
  @Override
  public void close() throws Exception {
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

  /**
   * A coordinator JVM of the cluster on {@code clusterPort}, logging to {@code log} in the reports
   * directory.
   */
  private CoordinatorProcess start(int clusterPort, String log) throws Exception {
    return LoadCoordinator.start(
        options.coordinatorJar,
        options.coordinatorHeap,
        options.coordinatorJvmArgs,
        clusterPort,
        dir.resolve(log),
        options.coordinatorSettings,
        options.clusterPort,
        COORDINATORS);
  }

  private HostProcess spawn(int index, List<String> urls, String token, Path log) throws Exception {
    return new HostProcess(
        index,
        HostProcess.command(options.hostJvmArgs, String.join(",", urls), STREAM, token),
        log);
  }

  /**
   * Sleeps in 200 ms steps until {@code endMillis}, polling the origin's segments and ticking the
   * progress line.
   */
  private static void waitWindow(
      long endMillis,
      Relay origin,
      Map<Long, Long> originAt,
      Fleet clients,
      Progress progress,
      Deadline deadline,
      Runnable each)
      throws Exception {
    long start = System.currentTimeMillis();
    long shown = 0;
    while (System.currentTimeMillis() < endMillis && !deadline.passed()) {
      RelayRig.recordCompleted(origin, originAt);
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
    return millis <= 0 || from < 0 || to < 0
        ? -1
        : Math.round((to - from) / (millis / 1000.0) * 100) / 100.0;
  }

  /**
   * Due, on-time and never-complete (relay, segment) pairs for segments the origin completed in
   * [from, to).
   */
  private ObjectNode continuity(
      List<HostProcess> hosts, Map<Long, Long> originAt, long from, long to) {
    long due = 0;
    long onTime = 0;
    long missing = 0;
    for (HostProcess h : hosts) {
      long first = h.log.firstSegmentAtMillis();
      if (h.log.nodeId() == null || first < 0) {
        continue;
      }
      Map<Long, Long> segs = h.log.segments();
      for (Map.Entry<Long, Long> seg : originAt.entrySet()) {
        long published = seg.getValue();
        if (published < from || published >= to || published < first) {
          continue;
        }
        due++;
        Long complete = segs.get(seg.getKey());
        if (complete == null) {
          missing++;
        } else if (complete <= published + options.playbackDelayMs) {
          onTime++;
        }
      }
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("segmentsDue", due);
    out.put("onTime", onTime);
    out.put("neverComplete", missing);
    out.put("stalls", due - onTime);
    out.put("continuity", due == 0 ? 1.0 : Math.round((double) onTime / due * 100_000) / 100_000.0);
    return out;
  }
}

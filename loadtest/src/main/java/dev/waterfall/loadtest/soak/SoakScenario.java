package dev.waterfall.loadtest.soak;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.SvgChart;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.source.SampleSource;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code soak}: does a booster's memory stay flat while children come and go? One real booster in a
 * JVM of its own ({@link dev.waterfall.loadtest.kit.processes.RelayHost}, with Native Memory
 * Tracking on) under a real coordinator and an origin publishing the built-in sample, in this JVM.
 * Simulated children (real webrtc-java peers joining as viewers, see {@link SoakChild}) take a
 * DataChannel edge from it, receive for a few seconds and leave, a few at a time, until {@code
 * --edges} edges have been made and closed. Every few seconds the booster's RSS, live heap and NMT
 * committed memory are read ({@link BoosterMemory}); the report fits their growth per 1,000 edges
 * after the warm-up ({@link SlopeFit}).
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "One booster JVM through thousands of child edges made and closed; its memory per 1,000 edges "
            + "(run through ./waterfall: it makes the network namespace).")
public final class SoakScenario extends Scenario {
  private static final String STREAM = "soak";

  @Option(
      names = "--edges",
      defaultValue = "2000",
      description = "Edges to make and close on the booster (default ${DEFAULT-VALUE}).")
  long edges;

  @Option(
      names = "--concurrent",
      defaultValue = "6",
      description = "Children under the booster at once (default ${DEFAULT-VALUE}).")
  int concurrent;

  @Option(
      names = "--life-ms",
      defaultValue = "2000",
      description = "How long a child stays after its edge opened (default ${DEFAULT-VALUE}).")
  long lifeMs;

  @Option(
      names = "--sample-seconds",
      defaultValue = "5",
      description = "How often the booster's memory is read (default ${DEFAULT-VALUE}).")
  int sampleSeconds;

  @Option(
      names = "--max-minutes",
      defaultValue = "30",
      description =
          "The churn stops after this long even short of --edges; lifts --max-seconds when that is "
              + "not given (default ${DEFAULT-VALUE}).")
  int maxMinutes;

  @Option(
      names = "--warmup-share",
      defaultValue = "0.1",
      description =
          "Share of the edges left out of the fit (JIT, class loading, first segments) "
              + "(default ${DEFAULT-VALUE}).")
  double warmupShare;

  @Option(
      names = "--booster-jvm-args",
      split = " ",
      defaultValue =
          "-Xms192m -Xmx192m -XX:+AlwaysPreTouch -XX:+UseSerialGC -XX:NativeMemoryTracking=summary",
      description =
          "The booster JVM's flags (default ${DEFAULT-VALUE}: the heap is committed and touched at start, "
              + "so RSS growth is native memory; NMT on, for jcmd).")
  List<String> boosterJvmArgs;

  @Option(
      names = "--recycle-after-links",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "The booster recycles as boost --recycle-after-links N does, and the scenario restarts it as "
              + "systemd would, sampling each fresh process; the target applies to the host (default 0: one process).")
  long recycleAfterLinks;

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the origin's and coordinator's INFO logs.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec soakSpec;

  @Override
  protected String name() {
    return "soak";
  }

  @Override
  protected void validate() {
    if (edges < 10
        || concurrent < 1
        || concurrent > 32
        || lifeMs < 0
        || sampleSeconds < 1
        || maxMinutes < 1
        || warmupShare < 0
        || warmupShare >= 1
        || recycleAfterLinks < 0) {
      throw new IllegalArgumentException(
          "need --edges >= 10, 1 <= --concurrent <= 32, --life-ms >= 0, "
              + "--sample-seconds >= 1, --max-minutes >= 1, 0 <= --warmup-share < 1, --recycle-after-links >= 0");
    }
    if (!soakSpec.commandLine().getParseResult().hasMatchedOption("--max-seconds")) {
      // the churn's minutes, and setup and teardown beside them
      common.maxSeconds = maxMinutes * 60L + 180;
    }
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    ObjectNode s = report.settings();
    s.put(
        "topology",
        "coordinator + origin (built-in sample) + children in this JVM; the booster a JVM of its own "
            + "(RelayHost); "
            + concurrent
            + " signalling-only anchors fill the origin's other slots, so every child "
            + "joins under the booster; children are webrtc-java viewers with upload off (leaves)");
    Path logDir = ReportDir.locate(common.reportsDir);
    Files.createDirectories(logDir);
    Path log = logDir.resolve("soak-booster.log");
    Files.deleteIfExists(log);
    Deadline churnEnd = Deadline.in(Math.min(maxMinutes * 60L, deadline.remainingMillis() / 1000));
    List<Sample> samples = new ArrayList<>();
    long started = System.nanoTime();
    Vertx vertx = Vertx.vertx();
    List<Anchor> anchors = new ArrayList<>();
    BoosterService service = null;
    ChildDriver driver = null;
    int anchorsRejoined = 0;
    // The stream's fan-out is the booster's slots: one more than the children at once, so a late
    // leave never leaves a join without a place (the coordinator's default cap is lower).
    Map<String, String> fanOut = Map.of("tree.maxChildren", Integer.toString(concurrent + 1));
    try (RelayRig rig = new RelayRig(false, verbose, fanOut);
        PeerFactory childPeers = new PeerFactory()) {
      SampleSource sample = SampleSource.fromClasspath(System.currentTimeMillis() / 1000);
      String key = rig.createStream(STREAM, concurrent + 1, bitrateKbps());
      Relay origin = rig.origin(STREAM, key, sample);
      String originId = origin.node().nodeId();
      progress.phase("booster JVM joining and fed", 1);
      service =
          BoosterService.start(
              HostProcess.command(
                  boosterJvmArgs, rig.base, STREAM, rig.boosterToken(), recycleAfterLinks),
              log,
              originId);
      progress.step();
      for (int i = 0; i < concurrent; i++) {
        Anchor a = Anchor.join(vertx, rig.base, STREAM);
        anchors.add(a);
        if (!originId.equals(a.parent())) {
          throw new IllegalStateException(
              "an anchor was placed under "
                  + a.parent()
                  + ", not the origin: children "
                  + "would not all go to the booster");
        }
      }
      driver =
          new ChildDriver(
              vertx,
              rig.base,
              STREAM,
              service.current,
              childPeers,
              concurrent,
              lifeMs,
              edges,
              churnEnd);
      samples.add(Sample.of(0, 0, driver.counts, service.read(), service.process().log.links()));
      progress.phase("soak: edges made and closed on the booster", edges);
      long churnStart = System.nanoTime();
      service.timesFrom(churnStart);
      driver.start();
      long shown = 0;
      while (driver.running()) {
        long next = System.nanoTime() + sampleSeconds * 1_000_000_000L;
        while (driver.running() && System.nanoTime() < next && service.watch()) {
          Thread.sleep(100);
        }
        if (!service.watch()) {
          if (recycleAfterLinks == 0 || !service.recycled()) {
            driver.stop("the booster JVM died");
            throw new IllegalStateException(
                "the booster JVM died (status "
                    + service.process().exitStatus()
                    + "); its stderr is in "
                    + log);
          }
          if (!driver.running()) {
            break; // recycled as the churn ended: nothing is left for a fresh process to serve
          }
          // systemd's Restart=always: a fresh process, sampled from when it is fed
          service.restart(driver.counts.closed.get());
          anchorsRejoined += keepAnchorsUnderOrigin(vertx, rig.base, anchors, originId);
        }
        Sample now =
            Sample.of(
                (System.nanoTime() - churnStart) / 1e9,
                service.index(),
                driver.counts,
                service.read(),
                service.process().log.links());
        samples.add(now);
        progress.add(now.edgesClosed() - shown);
        shown = now.edgesClosed();
        progress.extra(
            String.format(
                "RSS %.0f MB, failed %d, restarts %d", now.rssMb(), now.failed(), service.index()));
      }
      report
          .figures()
          .put("churnSeconds", Math.round((System.nanoTime() - churnStart) / 1e8) / 10.0);
      if (driver.stoppedBecause() != null) {
        report.incomplete("children stopped early: " + driver.stoppedBecause());
      }
      Thread.sleep(3000); // the booster's last teardowns
      // (a process that recycled right at the end is not replaced: nothing is left to serve)
      if (service.watch()) {
        samples.add(
            Sample.of(
                (System.nanoTime() - churnStart) / 1e9,
                service.index(),
                driver.counts,
                service.read(),
                service.process().log.links()));
      }
    } finally {
      // also after a failure: the samples so far are figures too
      if (driver != null && !samples.isEmpty()) {
        summarise(report, driver.counts, samples);
        if (service != null) {
          putRecycles(report, service, anchorsRejoined);
        }
      }
      anchors.forEach(Anchor::close);
      if (service != null) {
        service.destroy();
      }
      vertx.close();
      report.figures().put("wallSeconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
    }
  }

  /**
   * The sample's bitrate, for the stream's record (the coordinator sizes measured uplinks by it).
   */
  private static int bitrateKbps() {
    List<SampleSource.Clip> clips = SampleSource.loadClips();
    long bytes = clips.stream().mapToLong(c -> c.bytes().length).sum();
    long ms = clips.stream().mapToLong(SampleSource.Clip::durationMillis).sum();
    return (int) Math.max(1, bytes * 8 / Math.max(1, ms));
  }

  /**
   * A fresh booster that joined while the origin was full (a child briefly in the old one's slot)
   * takes a viewer's place there, perhaps an anchor's: an anchor moved off the origin leaves a slot
   * children would land in, so it is replaced by a new one (in the free slot). How many were
   * replaced.
   */
  private static int keepAnchorsUnderOrigin(
      Vertx vertx, String base, List<Anchor> anchors, String originId) throws Exception {
    int replaced = 0;
    for (int i = 0; i < anchors.size(); i++) {
      if (originId.equals(anchors.get(i).parent())) {
        continue;
      }
      anchors.get(i).close();
      for (int attempt = 0; ; attempt++) {
        Anchor a = Anchor.join(vertx, base, STREAM);
        if (originId.equals(a.parent()) || attempt == 20) {
          anchors.set(i, a);
          break;
        }
        a.close(); // the slot held by a child for a moment: again
        Thread.sleep(250);
      }
      replaced++;
    }
    return replaced;
  }

  private void summarise(Report report, EdgeCounts counts, List<Sample> samples) {
    ObjectNode f = report.figures();
    f.put("edgesMade", counts.made.get());
    f.put("edgesClosed", counts.closed.get());
    f.put("edgesWithData", counts.withData.get());
    f.put("childrenFailed", counts.failed.get());
    f.put("childrenRefused", counts.refused.get());
    f.put("childrenMisplaced", counts.misplaced.get());
    f.put("childrenRefusedInRecycle", counts.refusedInRecycle.get());
    f.put("childrenElsewhereInRecycle", counts.elsewhereInRecycle.get());
    f.put("childrenFailedInRecycle", counts.failedInRecycle.get());
    f.put("childrenEvicted", counts.evicted.get());
    f.put("bytesToChildren", counts.bytes.get());
    if (counts.openMs.getTotalCount() > 0) {
      f.put("edgeOpenP50Ms", counts.openMs.getValueAtPercentile(50));
      f.put("edgeOpenP95Ms", counts.openMs.getValueAtPercentile(95));
    }
    double churn = f.path("churnSeconds").asDouble();
    if (churn > 0) {
      f.put("edgesPerSecond", Math.round(counts.closed.get() / churn * 100) / 100.0);
    }
    ArrayNode arr = f.putArray("samples");
    samples.forEach(x -> x.writeTo(arr.addObject()));
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    f.put("rssStartMb", first.rssMb());
    f.put("rssEndMb", last.rssMb());
    f.put("boosterLinksAtEnd", last.boosterLinks());
    SoakReport.putSlopes(f, warmupShare);
    SoakReport.putHost(f, warmupShare);
    double slope = f.path("rssMbPer1000Edges").asDouble(Double.NaN);
    if (!Double.isNaN(slope)) {
      f.put("rssKbPerEdge", Math.round(slope * 1024) / 1000.0);
    }
    // what the operator's machine carries: the host, whichever process is current
    if (recycleAfterLinks > 0) {
      double host = f.path("hostRssMbPer1000Edges").asDouble(Double.NaN);
      report.target(
          Target.atMost(
              "booster host RSS growth after warm-up, across recycles",
              Double.isNaN(host) ? 1e9 : host,
              5,
              "MB per 1000 edges"));
      report.note(
          "host: least squares through every sample of whichever booster process was current (each "
              + "fresh one sampled from when it was fed), past the same warm-up share; rssMbPer1000Edges and the NMT "
              + "and heap slopes are the first process's, processes[] each one's over its own edges");
    } else {
      report.target(
          Target.atMost(
              "booster RSS growth after warm-up",
              Double.isNaN(slope) ? 1e9 : slope,
              5,
              "MB per 1000 edges"));
    }
    report.note(
        "slopes: least squares over the samples at or past "
            + warmupShare * 100
            + " % of the edges "
            + "closed; x is edges made and closed on the booster (children whose channel never opened are counted in "
            + "childrenFailed, not in x, though the booster made a connection for each)");
    report.note(
        "heap is read right after a full GC (jcmd GC.run), so it is the live heap; RSS outside NMT is "
            + "memory no JVM category counts: libwebrtc's own malloc among it");
    report.note(
        "booster links open: peer links of the booster's factory not yet torn down (its parent's included)");
  }

  private static void putRecycles(Report report, BoosterService service, int anchorsRejoined) {
    ObjectNode f = report.figures();
    f.put("restarts", service.recycles().size());
    ArrayNode arr = f.putArray("recycles");
    for (BoosterService.Recycle r : service.recycles()) {
      arr.addObject()
          .put("process", r.process())
          .put("drainAtSeconds", round1(r.drainAtSeconds()))
          .put("exitAtSeconds", round1(r.exitAtSeconds()))
          .put("fedAtSeconds", round1(r.fedAtSeconds()))
          .put("edgesClosedAtExit", r.edgesClosedAtExit());
    }
    f.put("anchorsReplaced", anchorsRejoined);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  @Override
  protected List<SvgChart> charts(ObjectNode figures) {
    return SoakReport.charts(figures);
  }
}

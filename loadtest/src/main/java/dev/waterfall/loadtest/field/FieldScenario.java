package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.BrowserRig;
import dev.waterfall.loadtest.kit.chromium.PlaywrightCheck;
import dev.waterfall.loadtest.kit.chromium.Probe;
import dev.waterfall.loadtest.kit.chromium.Spread;
import dev.waterfall.loadtest.kit.chromium.ViewerPage;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.ReportDir;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.testkit.chromium.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The field lab: Waterfall deployed on an emulated internet (homes behind NAT on capped, delayed,
 * lossy links, TLS on the public side, STUN/TURN from coturn) with one real headless Chromium per
 * home, measured as the field lab asks: per page mode, depth, first frame, stalls and stalled time,
 * P2P share; per run origin egress ÷ the stream, max depth, the machine's CPU; first frame against
 * plain HLS from the same homes in the same run.
 */
@Command(
    name = "field",
    mixinStandardHelpOptions = true,
    description =
        "Viewers on an emulated internet: homes behind NAT with capped, delayed, lossy links, TLS, TURN"
            + " (runs as root; builds its network namespaces and removes them).")
public final class FieldScenario extends Scenario {
  private static final String PREFIX = "wff";

  @Option(
      names = "--profile",
      defaultValue = "residential",
      description = "Network profile: residential or ideal (default ${DEFAULT-VALUE}).")
  String profileName;

  @Option(
      names = "--viewers",
      defaultValue = "8",
      description = "Homes with a viewer, ≤ 8 (default ${DEFAULT-VALUE}).")
  int viewers;

  @Option(
      names = "--seconds",
      defaultValue = "150",
      description = "Measured playback once every page plays (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--plain",
      description = "Every viewer plays plain HLS from the origin (?p2p=0): the reference.")
  boolean plain;

  @Option(
      names = "--lanes",
      description =
          "Peer connections per tree edge a page opens to its parent (?lanes=N, 1–4; default: the"
              + " page's own, p2p/lanes.js).")
  Integer lanes;

  @Option(
      names = "--cut-at",
      description =
          "Seconds into the measured playback at which a parent's home goes offline (see --cut);"
              + " default: none.")
  Integer cutAt;

  @Option(
      names = "--cut",
      defaultValue = "booster",
      description =
          "What --cut-at takes offline: booster (the booster in a home) or page (the viewer with the"
              + " most children) (default ${DEFAULT-VALUE}).")
  String cut;

  @Option(
      names = "--withholders",
      defaultValue = "0",
      description =
          "Withholding nodes, each in its own home, that join as viewers before the pages, accept"
              + " children and forward them nothing (issue 17's adversary; 0–2, default ${DEFAULT-VALUE}).")
  int withholders;

  /** The withholders' places over time; null without --withholders. */
  private WithholderWatch withholderWatch;

  private long withholdersJoinedAt;

  private List<String> withholderIds = List.of();

  /** The page whose home --cut took offline: shown, but not counted in the run's totals. */
  private String offlinePage;

  @Setting(recorded = false)
  @Option(
      names = "--deployment",
      defaultValue = "public",
      description =
          "public: coordinator, origin, coturn and Caddy on one server, one booster in a home; tuber: the"
              + " origin at home behind NAT, the coordinator and one booster on the server, another booster at a"
              + " friend's home (default ${DEFAULT-VALUE}).")
  String deployment;

  @Override
  protected String name() {
    return "field";
  }

  @Override
  protected void validate() {
    Profile.named(profileName);
    if (!deployment.equals("public") && !deployment.equals("tuber")) {
      throw new IllegalArgumentException("--deployment must be public or tuber");
    }
    if (!cut.equals("booster") && !cut.equals("page")) {
      throw new IllegalArgumentException("--cut must be booster or page");
    }
    if (lanes != null && (lanes < 1 || lanes > 4)) {
      throw new IllegalArgumentException("--lanes must be 1..4");
    }
    if (withholders < 0 || withholders > 2) {
      throw new IllegalArgumentException("--withholders must be 0..2");
    }
    if (viewers < 1 || viewers > Profile.named(profileName).viewers().size()) {
      throw new IllegalArgumentException(
          "--viewers must be 1.." + Profile.named(profileName).viewers().size());
    }
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    PlaywrightCheck.require();
    Tools.require();
    Profile profile = Profile.named(profileName);
    int kbps = BrowserRig.sampleKbps();
    ObjectNode settings = report.settings();
    settings.put("profileSource", profile.source());
    boolean tuber = deployment.equals("tuber");
    settings.put(
        "deployment",
        tuber
            ? "tuber: the origin (--sample) at home behind NAT; coordinator, coturn,"
                + " Caddy (TLS) and one booster (HTTP behind Caddy) on the server; another booster at a friend's home"
            : "public: coordinator, origin (--sample), coturn and Caddy (TLS) on one server; one booster and the"
                + " viewers in homes");
    settings.put("stream", "built-in sample, 2 s segments, " + kbps + " kbps");
    ArrayNode homes = settings.putArray("homes");
    for (int i = 0; i < viewers; i++) {
      homes.add("viewer " + (i + 1) + ": " + profile.viewers().get(i).describe());
    }
    homes.add((tuber ? "friend's booster: " : "booster: ") + profile.booster().describe());
    if (tuber) {
      homes.add("origin: " + profile.originHome().describe());
    }
    for (int i = 0; i < withholders; i++) {
      homes.add("withholder " + (i + 1) + ": " + withholderHome(profile, i).describe());
    }
    ObjectNode figures = report.figures();
    figures.put("bitrateKbps", kbps);

    Path dir = Files.createDirectories(ReportDir.locate(common.reportsDir).resolve("field-logs"));
    Lab.removeLeftovers(PREFIX);
    Path delayer = Tools.buildDelayer(dir);
    progress.phase(
        "building the lab: "
            + viewers
            + " viewer homes, the server and the "
            + deployment
            + " deployment",
        0);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Lab.removeLeftovers(PREFIX);
                  } catch (Exception e) {
                    // best effort on Ctrl-C
                  }
                }));
    try (Lab lab = new Lab(PREFIX + ProcessHandle.current().pid() % 100_000, delayer)) {
      Lab.Host server = lab.server();
      List<Lab.Host> viewerHomes = new ArrayList<>();
      for (int i = 0; i < viewers; i++) {
        viewerHomes.add(lab.home(i + 1, profile.viewers().get(i)));
      }
      Lab.Host boosterHome = lab.home(20, profile.booster());
      Lab.Host originHome = tuber ? lab.home(30, profile.originHome()) : server;
      try (Stack stack = new Stack(lab, server, dir, kbps)) {
        progress.phase("starting coturn, Caddy, the coordinator, the origin", 0);
        stack.startPublicSide();
        stack.startOrigin(originHome);
        stack.startBooster(boosterHome, "booster-home");
        if (tuber) {
          stack.startBooster(server, "booster-server");
        }
        int boosters = tuber ? 2 : 1;
        BrowserRig.await(
            () -> linkedBoosters(stack.tree()) >= boosters,
            60_000,
            "the booster(s) did not take a place in the tree in 60 s (see booster-*.log)");
        if (withholders > 0) {
          progress.phase("starting " + withholders + " withholder(s), each in its own home", 0);
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < withholders; i++) {
            ids.add(
                stack.startWithholder(
                    lab.home(40 + i, withholderHome(profile, i)), "withholder-" + (i + 1)));
          }
          withholdersJoinedAt = System.currentTimeMillis();
          withholderWatch = new WithholderWatch(ids);
          withholderIds = ids;
          ids.forEach(report.settings().putArray("withholderIds")::add);
        }
        watch(report, stack, lab, viewerHomes, boosterHome, dir, kbps, deadline, progress);
      }
    }
  }

  private void watch(
      Report report,
      Stack stack,
      Lab lab,
      List<Lab.Host> homes,
      Lab.Host boosterHome,
      Path dir,
      int kbps,
      Deadline deadline,
      Progress progress)
      throws Exception {
    List<Chromium> browsers = new ArrayList<>();
    List<ViewerPage> pages = new ArrayList<>();
    try {
      progress.phase("starting one Chromium per home", homes.size());
      for (Lab.Host home : homes) {
        browsers.add(Chromium.launch(wrapper(dir, home), List.of("--ignore-certificate-errors")));
        progress.step();
      }
      report.settings().put("chromium", browsers.get(0).browser.version());
      ObjectNode out = report.figures();
      // Each home in turn: a plain HLS page (the reference), closed once it shows its first frame,
      // then the viewer's page, which stays. Each pair starts beside the same pages already
      // playing,
      // so the ratio compares two start-ups under one load. Measured apart (every plain page first,
      // on a quiet machine, then the viewers one a second, starting beside each other on 2 cores),
      // the last viewers' first frames measured the machine: g1 had 2.1 s for the first viewer and
      // 4.4-4.6 s for the last two, against a plain p50 of 2.0 s.
      progress.phase("each home: plain HLS first frame, then its viewer", homes.size());
      List<Double> plainFirstFrames = new ArrayList<>();
      String url =
          Stack.PUBLIC_BASE
              + "/watch/"
              + Stack.STREAM
              + (plain ? "?p2p=0" : lanes != null ? "?lanes=" + lanes : "");
      Map<String, Probe> started = new LinkedHashMap<>();
      Map<String, Long> openedAt = new LinkedHashMap<>();
      for (int i = 0; i < homes.size(); i++) {
        try (ViewerPage page =
            ViewerPage.open(
                browsers.get(i).browser,
                Stack.PUBLIC_BASE + "/watch/" + Stack.STREAM + "?p2p=0",
                "plain " + (i + 1))) {
          if (page.awaitFirstFrame(30_000)) {
            Probe p = page.probe();
            if (p != null && p.firstFrameOrPlaying() != null) {
              plainFirstFrames.add(p.firstFrameOrPlaying());
            }
          }
        }
        ViewerPage viewer = ViewerPage.open(browsers.get(i).browser, url, "viewer " + (i + 1));
        pages.add(viewer);
        openedAt.put(viewer.label, System.currentTimeMillis());
        viewer.awaitPlaying(30_000);
        started.put(viewer.label, viewer.probe());
        sampleWithholders(stack.tree());
        progress.step();
      }
      out.set("plainFirstFrame", Spread.summary(plainFirstFrames));
      stack.saveOriginMetrics("origin-metrics-before.txt");
      Cpu cpuBefore = Cpu.read();
      double dcBefore = stack.originMetric("waterfall_relay_bytes_sent_total");
      double httpBefore = stack.originMetric("waterfall_relay_http_bytes_served_total");
      long turnBefore = stack.turnBytes();
      long t0 = System.nanoTime();
      progress.phase("watching for " + seconds + " s", seconds / 2);
      int maxDepth = 0;
      Map<String, Probe> last = new LinkedHashMap<>();
      long begin = System.currentTimeMillis();
      long end = begin + seconds * 1000L;
      long cutTime = cutAt == null ? Long.MAX_VALUE : begin + cutAt * 1000L;
      ParentCut parentCut = null;
      long nextStep = begin;
      // Playwright's pages are read from this thread only: the cut's children are sampled here too.
      while (System.currentTimeMillis() < end && !deadline.passed()) {
        Thread.sleep(ParentCut.SAMPLE_MILLIS);
        long now = System.currentTimeMillis();
        if (parentCut == null && now >= cutTime) {
          parentCut =
              ParentCut.tryCut(
                  cut, lab, boosterHome, dir.resolve("booster-home.log"), homes, pages);
        } else if (parentCut != null && parentCut.watching()) {
          parentCut.sample();
        }
        if (now >= nextStep) {
          JsonNode tree = stack.tree();
          maxDepth = Math.max(maxDepth, maxDepth(tree));
          sampleWithholders(tree);
          progress.step();
          nextStep = now + 2000;
        }
      }
      if (parentCut != null) {
        parentCut.report(report);
        offlinePage = parentCut.offlinePage();
      } else if (cutAt != null) {
        report.figures().put("parentCut", "nothing cut: no " + cut + " had children");
      }
      Map<String, ObjectNode> hops = new LinkedHashMap<>();
      for (ViewerPage page : pages) {
        last.put(page.label, page.probe());
        String state = page.stateJson();
        if (state != null) {
          Files.writeString(dir.resolve("page-" + page.label.replace(' ', '-') + ".json"), state);
          hops.put(
              page.label,
              Hops.summary(new com.fasterxml.jackson.databind.ObjectMapper().readTree(state)));
        }
      }
      double measured = (System.nanoTime() - t0) / 1e9;
      long watchEnd = System.currentTimeMillis();
      stack.saveOriginMetrics("origin-metrics-after.txt");
      JsonNode dashboard = stack.dashboardNodes();
      if (dashboard != null) {
        // The relays' own figures (how far behind the origin each receives segments): a slow
        // depth-2 page is then told apart from a slow booster above it.
        ArrayNode nodes = report.figures().putArray("dashboardAtEnd");
        dashboard.forEach(nodes::add);
      }
      JsonNode finalTree = stack.tree();
      if (finalTree != null) {
        report.figures().set("treeAtEnd", finalTree.path("nodes"));
      }
      double cpu = Cpu.read().busySince(cpuBefore);
      double dc = stack.originMetric("waterfall_relay_bytes_sent_total") - dcBefore;
      double http = stack.originMetric("waterfall_relay_http_bytes_served_total") - httpBefore;
      report.figures().put("turnBytes", stack.turnBytes() - turnBefore);
      // The whole run's TURN activity; any relay send failure is an allocation coturn closed.
      CoturnLog turn = CoturnLog.read(dir.resolve("coturn.log"));
      report.figures().set("turn", turn.json());
      report.target(
          Target.atMost(
              "TURN relay sends that failed (each closes an allocation)",
              turn.relaySendFailures(),
              0,
              ""));
      double oneCopy = kbps * 1000 / 8.0 * measured;
      new FieldFigures(report, plain, offlinePage)
          .put(
              pages,
              started,
              last,
              plainFirstFrames,
              (dc + http) / oneCopy,
              maxDepth,
              cpu,
              measured,
              dc,
              http);
      new FieldFigures(report, plain, offlinePage)
          .honestStalls(withholders > 0, pages, last, openedAt, watchEnd);
      if (withholderWatch != null) {
        report.figures().set("withholders", withholderWatch.json());
        report
            .figures()
            .put(
                "coordinatorWithholdingLines",
                Stack.linesMentioning(dir.resolve("coordinator.log"), withholderIds, 200));
      }
      // Per page: where its segments came from, how late, and its parent link's troubles (NAT,
      // TURN, reports).
      ArrayNode rows = (ArrayNode) report.figures().path("pages");
      for (JsonNode row : rows) {
        ObjectNode h = hops.get(row.path("page").asText());
        if (h != null) {
          ((ObjectNode) row).set("hops", h);
        }
      }
    } finally {
      pages.forEach(ViewerPage::close);
      browsers.forEach(Chromium::close);
    }
  }

  /** Samples the withholders' places, seconds since they joined. */
  private void sampleWithholders(JsonNode tree) {
    if (withholderWatch != null) {
      withholderWatch.sample((System.currentTimeMillis() - withholdersJoinedAt) / 1000.0, tree);
    }
  }

  /** A withholder's home: the roomiest residential uplinks, the places placement favours. */
  static Profile.Home withholderHome(Profile profile, int i) {
    return profile.viewers().get(profile.viewers().size() - 1 - i);
  }

  @Override
  protected void headline(ObjectNode figures, ObjectNode common) {
    Report.copyPresent(
        figures, common, "viewers", "bitrateKbps", "originEgressRatio", "maxDepth", "stalls");
  }

  /**
   * A script that starts Chromium inside the home's namespace (Playwright's pipe survives `ip netns
   * exec`).
   */
  static Path wrapper(Path dir, Lab.Host home) throws Exception {
    Path script = dir.resolve("chromium-" + home.namespace() + ".sh");
    Files.writeString(
        script,
        "#!/bin/sh\nexec ip netns exec " + home.namespace() + " /usr/bin/chromium \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private static int linkedBoosters(JsonNode tree) {
    int n = 0;
    if (tree != null) {
      for (JsonNode node : tree.path("nodes")) {
        n += "booster".equals(node.path("role").asText()) && !node.path("parent").isNull() ? 1 : 0;
      }
    }
    return n;
  }

  private static int maxDepth(JsonNode tree) {
    int max = 0;
    if (tree != null) {
      for (JsonNode node : tree.path("nodes")) {
        max = Math.max(max, node.path("depth").asInt());
      }
    }
    return max;
  }
}

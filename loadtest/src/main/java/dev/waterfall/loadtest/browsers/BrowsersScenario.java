package dev.waterfall.loadtest.browsers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Target;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.relay.Relay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Real headless Chromium viewers of a real stream (coordinator, origin with the built-in sample, a booster, all in
 * this JVM), measured from outside the pages. Three phases, one browser:
 * <ol>
 *   <li>first frame: P2P pages ({@code /watch/s}) and plain hls.js pages from the origin ({@code ?p2p=0}),
 *       interleaved A-B-B-A, each in a fresh context and closed after its first frame;</li>
 *   <li>live distance by depth: a chain (stream maxChildren 1, no booster) of pages at depths 1, 2, 3, and one
 *       plain page from the origin as the reference, sampled every second;</li>
 *   <li>viewers: K pages below the booster(s) for a while: mode, depth, P2P share, stalls, live distance, and the
 *       origin's egress from the relays' and pages' counters.</li>
 * </ol>
 */
@Command(name = "browsers", mixinStandardHelpOptions = true,
    description = "Headless Chromium viewers: first frame P2P vs plain HLS, distance behind live by depth, K viewers"
        + " below boosters (run through ./waterfall: it makes the network namespace).")
public final class BrowsersScenario extends Scenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final String STREAM = "browsers";
  private static final String CHAIN = "browsers-chain";

  @Option(names = "--samples", defaultValue = "8",
      description = "First-frame samples per mode (P2P and plain), after one warm-up pair (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--chain", defaultValue = "3",
      description = "Pages in the depth chain, at depths 1..N (default ${DEFAULT-VALUE}).")
  int chain;

  @Option(names = "--chain-seconds", defaultValue = "25",
      description = "How long the chain is sampled, once a second (default ${DEFAULT-VALUE}).")
  int chainSeconds;

  @Option(names = "--viewers", defaultValue = "4", description = "K: pages in the viewers phase (default ${DEFAULT-VALUE}).")
  int viewers;

  @Option(names = "--boosters", defaultValue = "1", description = "Boosters on the main stream (default ${DEFAULT-VALUE}).")
  int boosters;

  @Option(names = "--max-children", defaultValue = "2",
      description = "Fan-out of the main stream (first-frame and viewers phases) (default ${DEFAULT-VALUE}).")
  int maxChildren;

  @Option(names = "--viewer-seconds", defaultValue = "30",
      description = "Measured time of the viewers phase, after a short warm-up (default ${DEFAULT-VALUE}).")
  int viewerSeconds;

  @Option(names = "--verbose", description = "Keep the relays' INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "browsers";
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    try {
      Class.forName("com.microsoft.playwright.Playwright");
    } catch (ClassNotFoundException e) {
      // The shaded jar finds Playwright through its manifest Class-Path, in the Maven repository it was built from.
      throw new IllegalStateException("Playwright is not on the classpath: rebuild the loadtest jar on this machine"
          + " (./mvnw -pl loadtest -am package) so that its Class-Path finds Playwright in ~/.m2");
    }
    int kbps = BrowserRig.sampleKbps();
    ObjectNode settings = report.settings();
    settings.put("firstFrameSamplesPerMode", samples);
    settings.put("chainPages", chain);
    settings.put("chainSeconds", chainSeconds);
    settings.put("viewers", viewers);
    settings.put("boosters", boosters);
    settings.put("maxChildren", maxChildren);
    settings.put("viewerSeconds", viewerSeconds);
    settings.put("stream", "built-in sample, 2 s segments, " + kbps + " kbps; hls.js liveSyncDurationCount 3");
    settings.put("browser", HeadlessChromium.EXECUTABLE + " " + String.join(" ", HeadlessChromium.FLAGS)
        + "; one browser, one context per page");
    settings.put("firstFrame", "requestVideoFrameCallback metadata.presentationTime of the first frame (ms since"
        + " the page's time origin = navigation start), registered by an init script; 'playing' where absent");
    settings.put("liveDistance", "now − (producedAtMillis − durationMillis + (video.currentTime − frag.start)·1000):"
        + " signed header of the fragment hls.js reports playing (FRAG_CHANGED), read in one page.evaluate");
    ObjectNode figures = report.figures();
    figures.put("bitrateKbps", kbps);

    progress.phase("starting coordinator, origins, " + boosters + " booster(s), Chromium", 0);
    try (BrowserRig rig = new BrowserRig(verbose)) {
      Relay origin = rig.origin(STREAM, maxChildren);
      Relay chainOrigin = rig.origin(CHAIN, 1);
      List<Relay> boosterRelays = new ArrayList<>();
      for (int i = 0; i < boosters; i++) {
        boosterRelays.add(rig.booster(STREAM));
      }
      try (HeadlessChromium chromium = HeadlessChromium.launch()) {
        settings.put("chromium", chromium.browser.version());
        // hls.js starts 3 segments behind the live edge: let the origins hold that many first.
        awaitUntil(() -> held(origin) >= 4 && held(chainOrigin) >= 4
            && boosterRelays.stream().allMatch(b -> b.node().parentId() != null), 30_000,
            "the origins did not publish 4 segments, or a booster did not link, in 30 s");
        firstFrames(rig, chromium, report, deadline, progress);
        if (!deadline.passed()) {
          chainDistances(rig, chainOrigin, chromium, report, deadline, progress);
        }
        if (!deadline.passed()) {
          viewersBelowBoosters(rig, origin, boosterRelays, chromium, report, deadline, progress, kbps);
        } else {
          report.incomplete("time budget spent before the viewers phase");
        }
      }
    }
  }

  // ---- 1. first frame -------------------------------------------------------------------------------------------

  private void firstFrames(BrowserRig rig, HeadlessChromium chromium, Report report, Deadline deadline,
                           Progress progress) throws Exception {
    progress.phase("first frame: P2P vs plain, interleaved", 2L * samples);
    ObjectNode out = report.figures().putObject("firstFrame");
    List<Double> p2p = new ArrayList<>();
    List<Double> plain = new ArrayList<>();
    List<Double> p2pPlaying = new ArrayList<>();
    List<Double> plainPlaying = new ArrayList<>();
    ArrayNode rows = out.putArray("samples");
    Map<String, Map<String, List<Double>>> milestones = new LinkedHashMap<>();
    int failures = 0;
    int notP2p = 0;
    int baseline = treeSize(rig, STREAM);
    // Round 0 is a warm-up pair (Chromium's first page, the relays' first HTTP); then A-B-B-A so neither mode
    // always goes first.
    for (int round = 0; round <= samples && !deadline.passed(); round++) {
      boolean p2pFirst = round % 2 == 0;
      for (int k = 0; k < 2; k++) {
        boolean wantP2p = (k == 0) == p2pFirst;
        ViewerPage page = chromium.open(rig.watchUrl(STREAM, wantP2p), wantP2p ? "p2p" : "plain");
        Probe probe;
        boolean ok;
        try {
          ok = page.awaitFirstFrame(20_000);
          probe = page.probe();
        } finally {
          page.close();
        }
        Double ms = probe == null ? null : probe.firstFrameOrPlaying();
        if (round == 0) {
          continue;
        }
        progress.step();
        ObjectNode row = rows.addObject();
        row.put("round", round);
        row.put("requested", wantP2p ? "p2p" : "plain");
        row.put("mode", probe == null ? null : probe.mode());
        row.put("depth", probe == null ? null : probe.depth());
        row.put("firstFrameMs", ms == null ? null : round1(ms));
        row.put("playingMs", probe == null || probe.startedAtMs() == null ? null : round1(probe.startedAtMs()));
        if (!ok || ms == null) {
          failures++;
          row.put("error", probe == null ? "no page state" : "no first frame in 20 s: " + probe.error());
          continue;
        }
        if (wantP2p && !"p2p".equals(probe.mode())) {
          notP2p++; // P2P failed and the page fell back to plain HLS: not a P2P start
          continue;
        }
        (wantP2p ? p2p : plain).add(ms);
        Map<String, List<Double>> steps = milestones.computeIfAbsent(wantP2p ? "p2p" : "plain", x -> new LinkedHashMap<>());
        probe.timeline().forEach((step, t) -> steps.computeIfAbsent(step, x -> new ArrayList<>()).add(t));
        steps.computeIfAbsent("firstFrame", x -> new ArrayList<>()).add(ms);
        row.putPOJO("timeline", probe.timeline());
        if (probe.startedAtMs() != null) {
          (wantP2p ? p2pPlaying : plainPlaying).add(probe.startedAtMs());
        }
        progress.extra(String.format("p2p p50 %.0f ms, plain p50 %.0f ms", Spread.percentile(p2p, 50),
            Spread.percentile(plain, 50)));
        if (wantP2p) {
          // The next P2P page should find the same free slot: wait until this one has left the tree.
          awaitUntil(() -> treeSize(rig, STREAM) <= baseline, 5_000, null);
        }
      }
    }
    out.set("p2p", Spread.summary(p2p));
    out.set("plain", Spread.summary(plain));
    out.set("p2pPlaying", Spread.summary(p2pPlaying));
    // Where the time goes: the p50 of each start-up milestone (ms since navigation start), in page order.
    ObjectNode timeline = out.putObject("milestonesP50Ms");
    milestones.forEach((mode, steps) -> {
      ObjectNode m = timeline.putObject(mode);
      steps.entrySet().stream().sorted(Map.Entry.comparingByValue(
              java.util.Comparator.comparingDouble(v -> Spread.percentile(v, 50))))
          .forEach(e -> m.put(e.getKey(), Spread.percentile(e.getValue(), 50)));
    });
    out.set("plainPlaying", Spread.summary(plainPlaying));
    double ratio50 = Spread.ratio(Spread.percentile(p2p, 50), Spread.percentile(plain, 50));
    double ratio95 = Spread.ratio(Spread.percentile(p2p, 95), Spread.percentile(plain, 95));
    out.put("ratioP50", ratio50);
    out.put("ratioP95", ratio95);
    out.put("failures", failures);
    out.put("p2pPagesThatFellBackToPlain", notP2p);
    report.target(Target.atMost("first frame p50: P2P ÷ plain hls.js", nan(ratio50), 1.1, "×"));
    report.target(Target.atMost("first frame p95: P2P ÷ plain hls.js", nan(ratio95), 1.1, "×"));
    if (p2p.size() < samples || plain.size() < samples) {
      report.note("first frame: " + p2p.size() + " P2P and " + plain.size() + " plain samples of " + samples
          + " each (" + failures + " without a first frame, " + notP2p + " P2P pages fell back to plain HLS)");
    }
  }

  // ---- 2. distance behind live by depth ---------------------------------------------------------------------------

  private void chainDistances(BrowserRig rig, Relay chainOrigin, HeadlessChromium chromium, Report report,
                              Deadline deadline, Progress progress) throws Exception {
    progress.phase("live distance: chain of " + chain + " pages + 1 plain", chain + 1);
    List<ViewerPage> pages = new ArrayList<>();
    try {
      // maxChildren 1: each page can only join below the previous one, at depth 1, 2, 3…
      for (int d = 1; d <= chain; d++) {
        ViewerPage page = chromium.open(rig.watchUrl(CHAIN, true), "depth " + d);
        pages.add(page);
        if (!page.awaitPlaying(30_000)) {
          throw new IllegalStateException("chain page " + d + " did not play in 30 s: " + page.probe());
        }
        progress.step();
      }
      ViewerPage plain = chromium.open(rig.watchUrl(CHAIN, false), "plain");
      pages.add(plain);
      if (!plain.awaitPlaying(30_000)) {
        throw new IllegalStateException("the plain page did not play in 30 s: " + plain.probe());
      }
      progress.step();
      progress.phase("live distance: sampling", chainSeconds);
      Map<String, List<Double>> byDepth = new TreeMap<>();
      Map<String, Probe> first = new LinkedHashMap<>();
      Map<String, Probe> last = new LinkedHashMap<>();
      int stale = 0;
      Arrivals arrivals = new Arrivals(System.currentTimeMillis());
      for (int s = 0; s < chainSeconds && !deadline.passed(); s++) {
        long next = System.currentTimeMillis() + 1000;
        for (ViewerPage page : pages) {
          Probe p = page.probe();
          if (p == null) {
            continue;
          }
          first.putIfAbsent(page.label, p);
          last.put(page.label, p);
          arrivals.add(page.label, p.depth(), p.arrivals());
          OptionalDouble d = "p2p".equals(p.mode()) ? p.liveDistanceMillis() : plainDistance(chainOrigin, p);
          String key = "p2p".equals(p.mode()) ? String.valueOf(p.depth()) : "plain (origin HTTP)";
          if (d.isPresent()) {
            byDepth.computeIfAbsent(key, x -> new ArrayList<>()).add(d.getAsDouble());
          } else {
            stale++;
          }
        }
        progress.step();
        Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
      }
      ObjectNode out = report.figures().putObject("liveDistanceByDepth");
      byDepth.forEach((k, v) -> out.set(k, Spread.summary(v)));
      report.figures().put("liveDistanceReadingsWithoutFragment", stale);
      report.figures().set("segmentCompleteAfterProducedByDepth", arrivals.summary());
      report.figures().set("chainPages", pageRows(pages, first, last));
      for (int d = 1; d <= chain; d++) {
        List<Double> v = byDepth.getOrDefault(String.valueOf(d), List.of());
        if (v.isEmpty()) {
          report.note("live distance: no page reported depth " + d);
        }
      }
    } finally {
      pages.forEach(ViewerPage::close);
    }
  }

  /** A plain page has no store of headers: the origin's store has the same signed header for that sequence. */
  private static OptionalDouble plainDistance(Relay origin, Probe p) throws Exception {
    if (p.fragSn() == null || p.paused()) {
      return OptionalDouble.empty();
    }
    CompletableFuture<Optional<long[]>> f = new CompletableFuture<>();
    origin.node().context().runOnContext(v -> f.complete(origin.store().header(p.fragSn())
        .map(h -> new long[] {h.header().producedAtMillis(), h.header().durationMillis()})));
    Optional<long[]> h = f.get(10, TimeUnit.SECONDS);
    return h.isEmpty() ? OptionalDouble.empty()
        : Probe.distanceBehindLive(p.nowMillis(), h.get()[0], (int) h.get()[1], p.currentTime(), p.fragStart());
  }

  // ---- 3. K viewers below boosters ---------------------------------------------------------------------------------

  private void viewersBelowBoosters(BrowserRig rig, Relay origin, List<Relay> boosterRelays,
                                    HeadlessChromium chromium, Report report, Deadline deadline, Progress progress,
                                    int kbps) throws Exception {
    progress.phase("viewers: " + viewers + " pages joining", viewers);
    List<ViewerPage> pages = new ArrayList<>();
    try {
      for (int i = 0; i < viewers; i++) {
        pages.add(chromium.open(rig.watchUrl(STREAM, true), "viewer " + (i + 1)));
        Thread.sleep(250); // a trickle, not one burst: joins arrive one by one in the field too
      }
      for (ViewerPage page : pages) {
        if (!page.awaitPlaying(30_000)) {
          report.note(page.label + " did not play within 30 s: " + page.probe());
        }
        progress.step();
      }
      Thread.sleep(4000); // startup fetches (the first segments may come over HTTP while links form) left out
      // Byte counters are read half-way between two segments (each arrives as a burst right after the origin
      // signs it) and the window is whole segments, so no burst is half in: as relay-egress does.
      int segments = Math.max(1, viewerSeconds / 2);
      long snapshotAt = newestProducedAt(origin) + 1000;
      while (snapshotAt < System.currentTimeMillis() + 200) {
        snapshotAt += 2000;
      }
      Thread.sleep(snapshotAt - System.currentTimeMillis());
      progress.phase("viewers: measuring", 2L * segments);
      Counters before = Counters.read(origin, boosterRelays);
      Map<String, Probe> first = new LinkedHashMap<>();
      for (ViewerPage page : pages) {
        Probe p = page.probe();
        if (p != null) {
          first.put(page.label, p);
        }
      }
      Map<String, Probe> last = new LinkedHashMap<>();
      Map<String, List<Double>> byDepth = new TreeMap<>();
      Arrivals arrivals = new Arrivals(System.currentTimeMillis());
      long start = System.nanoTime();
      long end = snapshotAt + 2000L * segments;
      for (long tick = snapshotAt + 500; tick < end && !deadline.passed(); tick += 1000) {
        Thread.sleep(Math.max(0, tick - System.currentTimeMillis()));
        for (ViewerPage page : pages) {
          Probe p = page.probe();
          if (p == null) {
            continue;
          }
          arrivals.add(page.label, p.depth(), p.arrivals());
          OptionalDouble d = p.liveDistanceMillis();
          if (d.isPresent()) {
            byDepth.computeIfAbsent(String.valueOf(p.depth()), x -> new ArrayList<>()).add(d.getAsDouble());
          }
        }
        progress.step();
      }
      Thread.sleep(Math.max(0, end - System.currentTimeMillis()));
      Counters after = Counters.read(origin, boosterRelays);
      for (ViewerPage page : pages) {
        Probe p = page.probe();
        if (p != null && first.containsKey(page.label)) {
          last.put(page.label, p);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (deadline.passed()) {
        report.incomplete("time budget spent during the viewers phase (" + Math.round(seconds) + " s measured)");
      }
      ObjectNode figures = report.figures();
      ObjectNode out = figures.putObject("viewersPhase");
      out.put("measuredSeconds", Math.round(seconds * 10) / 10.0);
      out.put("measuredSegments", segments);
      ArrayNode rows = pageRows(pages, first, last);
      out.set("pages", rows);
      ObjectNode dist = out.putObject("liveDistanceByDepth");
      byDepth.forEach((k, v) -> dist.set(k, Spread.summary(v)));
      out.set("segmentCompleteAfterProducedByDepth", arrivals.summary());

      long pagesFromParent = 0;
      long pagesFallback = 0;
      int stalls = 0;
      int maxDepth = 0;
      int p2pPages = 0;
      for (String label : last.keySet()) {
        Probe a = first.get(label);
        Probe b = last.get(label);
        pagesFromParent += b.bytesFromParent() - a.bytesFromParent();
        pagesFallback += b.bytesByFallback() - a.bytesByFallback();
        stalls += b.stalls() - a.stalls();
        maxDepth = Math.max(maxDepth, b.depth() == null ? 0 : b.depth());
        p2pPages += "p2p".equals(b.mode()) ? 1 : 0;
      }
      long boosterFromParent = after.boostersFromParent - before.boostersFromParent;
      long boosterFallback = after.boostersFallback - before.boostersFallback;
      // Boosters serve no HTTP: every fallback byte, of a booster or a page, was served by the origin.
      long originBytes = (after.originSent - before.originSent) + boosterFallback + pagesFallback;
      long delivered = boosterFromParent + boosterFallback + pagesFromParent + pagesFallback;
      // One copy of the stream on the wire: what a booster (depth 1, under the origin) received; else bitrate × time.
      double oneCopy = !boosterRelays.isEmpty() && boosterFromParent > 0
          ? (double) boosterFromParent / boosterRelays.size() : kbps * 1000 / 8.0 * seconds;
      double egressRatio = Math.round(originBytes / oneCopy * 100) / 100.0;
      double offload = delivered == 0 ? Double.NaN : Math.round((1 - (double) originBytes / delivered) * 1000) / 1000.0;
      double pagesP2pShare = pagesFromParent + pagesFallback == 0 ? Double.NaN
          : Math.round((double) pagesFromParent / (pagesFromParent + pagesFallback) * 1000) / 1000.0;
      out.put("originDataChannelBytes", after.originSent - before.originSent);
      out.put("originHttpBytes", boosterFallback + pagesFallback);
      out.put("boostersBytesFromParent", boosterFromParent);
      out.put("pagesBytesFromParent", pagesFromParent);
      out.put("pagesBytesByFallback", pagesFallback);
      out.put("pagesP2pShare", pagesP2pShare);
      out.put("p2pPages", p2pPages);
      // The fields every scenario shares (issue 5), for this phase.
      figures.put("viewers", pages.size());
      figures.put("originEgressRatio", egressRatio);
      figures.put("offload", offload);
      figures.put("maxDepth", maxDepth);
      figures.put("stalls", stalls);
      report.note("viewers phase: origin egress " + egressRatio + " × the stream for " + pages.size() + " pages + "
          + boosterRelays.size() + " booster(s); offload " + offload + " (plain HLS: origin sends "
          + (pages.size() + boosterRelays.size()) + " ×, offload 0)");
    } finally {
      pages.forEach(ViewerPage::close);
    }
  }

  /** The relays' byte counters at one moment. */
  private record Counters(long originSent, long boostersFromParent, long boostersFallback) {
    static Counters read(Relay origin, List<Relay> boosters) throws Exception {
      return new Counters(BrowserRig.bytesSent(origin),
          boosters.stream().mapToLong(b -> b.node().bytesFromParent()).sum(),
          boosters.stream().mapToLong(b -> b.node().bytesByFallback()).sum());
    }
  }

  /** Per page: mode, depth, P2P share and stalls over the sampled time, live distance p50/p95. */
  private static ArrayNode pageRows(List<ViewerPage> pages, Map<String, Probe> first, Map<String, Probe> last) {
    ArrayNode rows = JSON.createArrayNode();
    for (ViewerPage page : pages) {
      Probe a = first.get(page.label);
      Probe b = last.get(page.label);
      ObjectNode row = rows.addObject();
      row.put("page", page.label);
      if (a == null) {
        row.put("error", "no reading");
        continue;
      }
      row.put("mode", b.mode());
      row.put("depth", b.depth());
      long fromParent = b.bytesFromParent() - a.bytesFromParent();
      long fallback = b.bytesByFallback() - a.bytesByFallback();
      row.put("bytesFromParent", fromParent);
      row.put("bytesByFallback", fallback);
      row.put("bytesSentToChildren", b.bytesSentToChildren() - a.bytesSentToChildren());
      row.put("children", b.children());
      if ("p2p".equals(b.mode()) && fromParent + fallback > 0) {
        row.put("p2pShare", Math.round((double) fromParent / (fromParent + fallback) * 1000) / 1000.0);
      }
      row.put("stallsWhileSampled", b.stalls() - a.stalls());
      row.put("stallsSinceStart", b.stalls());
      if (b.error() != null) {
        row.put("error", b.error());
      }
    }
    return rows;
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------

  /** When the origin signed its newest segment (epoch ms), read on its own context. */
  private static long newestProducedAt(Relay origin) throws Exception {
    CompletableFuture<Long> f = new CompletableFuture<>();
    origin.node().context().runOnContext(v -> {
      List<Long> seqs = origin.store().sequences();
      f.complete(seqs.isEmpty() ? System.currentTimeMillis() : origin.store().header(seqs.get(seqs.size() - 1))
          .map(h -> h.header().producedAtMillis()).orElse(System.currentTimeMillis()));
    });
    return f.get(10, TimeUnit.SECONDS);
  }

  /** Segments the relay holds, read on its own context (the store is not shared across threads). */
  private static int held(Relay relay) {
    CompletableFuture<Integer> f = new CompletableFuture<>();
    relay.node().context().runOnContext(v -> f.complete(relay.store().size()));
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return 0;
    }
  }

  /** Nodes in the stream's tree, from the coordinator's REST API. */
  private static int treeSize(BrowserRig rig, String stream) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(rig.base + "/api/streams/" + stream
          + "/tree")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode nodes = JSON.readTree(r.body()).get("nodes");
      return nodes == null ? -1 : nodes.size();
    } catch (Exception e) {
      return -1;
    }
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  /** Polls until {@code check} holds; past the timeout throws with {@code failure}, or returns if that is null. */
  private static void awaitUntil(Check check, long timeoutMillis, String failure) throws Exception {
    long until = System.currentTimeMillis() + timeoutMillis;
    while (!check.ok()) {
      if (System.currentTimeMillis() > until) {
        if (failure != null) {
          throw new IllegalStateException(failure);
        }
        return;
      }
      Thread.sleep(100);
    }
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double nan(double v) {
    return Double.isNaN(v) ? Double.MAX_VALUE : v;
  }
}

package dev.waterfall.loadtest.browsers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.BrowserRig;
import dev.waterfall.loadtest.kit.chromium.PlaywrightCheck;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.loadtest.run.Scenario;
import dev.waterfall.loadtest.run.Setting;
import dev.waterfall.relay.Relay;
import dev.waterfall.testkit.chromium.Chromium;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Real headless Chromium viewers of a real stream (coordinator, origin with the built-in sample, a
 * booster, all in this JVM), measured from outside the pages. Three phases, one browser:
 *
 * <ol>
 *   <li>first frame: P2P pages ({@code /watch/s}) and plain hls.js pages from the origin ({@code
 *       ?p2p=0}), interleaved A-B-B-A, each in a fresh context and closed after its first frame;
 *   <li>live distance by depth: a chain (stream maxChildren 1, no booster) of pages at depths 1, 2,
 *       3, and one plain page from the origin as the reference, sampled every second;
 *   <li>viewers: K pages below the booster(s) for a while: mode, depth, P2P share, stalls, live
 *       distance, and the origin's egress from the relays' and pages' counters.
 * </ol>
 */
@Command(
    name = "browsers",
    mixinStandardHelpOptions = true,
    description =
        "Headless Chromium viewers: first frame P2P vs plain HLS, distance behind live by depth, K viewers"
            + " below boosters (run through ./waterfall: it makes the network namespace).")
public final class BrowsersScenario extends Scenario {
  private static final String STREAM = "browsers";
  private static final String CHAIN = "browsers-chain";

  @Setting("firstFrameSamplesPerMode")
  @Option(
      names = "--samples",
      defaultValue = "8",
      description =
          "First-frame samples per mode (P2P and plain), after one warm-up pair (default ${DEFAULT-VALUE}).")
  int samples;

  @Setting("chainPages")
  @Option(
      names = "--chain",
      defaultValue = "3",
      description = "Pages in the depth chain, at depths 1..N (default ${DEFAULT-VALUE}).")
  int chain;

  @Option(
      names = "--chain-seconds",
      defaultValue = "25",
      description = "How long the chain is sampled, once a second (default ${DEFAULT-VALUE}).")
  int chainSeconds;

  @Option(
      names = "--viewers",
      defaultValue = "4",
      description = "K: pages in the viewers phase (default ${DEFAULT-VALUE}).")
  int viewers;

  @Option(
      names = "--boosters",
      defaultValue = "1",
      description = "Boosters on the main stream (default ${DEFAULT-VALUE}).")
  int boosters;

  @Option(
      names = "--max-children",
      defaultValue = "2",
      description =
          "Fan-out of the main stream (first-frame and viewers phases) (default ${DEFAULT-VALUE}).")
  int maxChildren;

  @Option(
      names = "--viewer-seconds",
      defaultValue = "30",
      description =
          "Measured time of the viewers phase, after a short warm-up (default ${DEFAULT-VALUE}).")
  int viewerSeconds;

  @Setting(recorded = false)
  @Option(names = "--verbose", description = "Keep the relays' INFO logs.")
  boolean verbose;

  @Override
  protected String name() {
    return "browsers";
  }

  @Override
  protected void run(Report report, Deadline deadline, Progress progress) throws Exception {
    PlaywrightCheck.require();
    int kbps = BrowserRig.sampleKbps();
    ObjectNode settings = report.settings();
    settings.put(
        "stream",
        "built-in sample, 2 s segments, " + kbps + " kbps; hls.js liveSyncDurationCount 3");
    settings.put(
        "browser",
        Chromium.EXECUTABLE
            + " "
            + String.join(" ", Chromium.FLAGS)
            + "; one browser, one context per page");
    settings.put(
        "firstFrame",
        "requestVideoFrameCallback metadata.presentationTime of the first frame (ms since"
            + " the page's time origin = navigation start), registered by an init script; 'playing' where absent");
    settings.put(
        "liveDistance",
        "now − (producedAtMillis − durationMillis + (video.currentTime − frag.start)·1000):"
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
      try (Chromium chromium = Chromium.launch(Chromium.installed(), List.of())) {
        settings.put("chromium", chromium.browser.version());
        // hls.js starts 3 segments behind the live edge: let the origins hold that many first.
        BrowserRig.await(
            () ->
                BrowserRig.held(origin) >= 4
                    && BrowserRig.held(chainOrigin) >= 4
                    && boosterRelays.stream().allMatch(b -> b.node().parentId() != null),
            30_000,
            "the origins did not publish 4 segments, or a booster did not link, in 30 s");
        FirstFramePhase.run(rig, chromium, STREAM, samples, report, deadline, progress);
        if (!deadline.passed()) {
          DepthChainPhase.run(
              rig, chainOrigin, chromium, CHAIN, chain, chainSeconds, report, deadline, progress);
        }
        if (!deadline.passed()) {
          ViewersPhase.run(
              rig,
              origin,
              boosterRelays,
              chromium,
              STREAM,
              viewers,
              viewerSeconds,
              kbps,
              report,
              deadline,
              progress);
        } else {
          report.incomplete("time budget spent before the viewers phase");
        }
      }
    }
  }
}

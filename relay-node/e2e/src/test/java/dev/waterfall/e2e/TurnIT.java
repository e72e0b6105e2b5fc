package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.CandidatePair;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.testkit.chromium.Chromium;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * TURN with time-limited credentials (docs/configuration.md), against a real coturn in the test's
 * namespace: boosters that may use only relayed candidates ({@code --ice-relay-only}) link through
 * it with the credentials their welcome or a later {@code ice-servers} carried, and get the stream;
 * a page does the same with its welcome's; credentials signed with another secret get a 401 and no
 * link. Skipped where turnserver is not installed.
 */
@DisplayName("TURN with time-limited credentials, against a real coturn")
class TurnIT {
  // java-netns's veth address: coturn listens and relays there
  private static final String LAB = "10.77.0.1";
  private static final int TTL_SECONDS = 60; // the shortest allowed: the renewal test waits it out
  private static final Pattern ALLOCATED =
      Pattern.compile("user <(\\d+):([^>]+)>: incoming packet ALLOCATE processed, success");
  private static Coturn coturn;
  private static StreamRig rig;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        Coturn.installed(),
        "turnserver is not installed (Debian package coturn: apt-get install -y coturn;"
            + " relay-node/e2e's ensure-packages step installs it when run as root)");
    coturn = Coturn.start(LAB);
    rig =
        new StreamRig(
            Map.of(
                "ice.turn.urls",
                coturn.url(),
                "ice.turn.secret",
                coturn.secret,
                "ice.turn.ttlSeconds",
                Integer.toString(TTL_SECONDS)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
    if (coturn != null) {
      coturn.close();
    }
  }

  @Test
  void
      relayOnlyBoostersLinkThroughTurnGetTheStreamAndStillLinkAfterTheirWelcomesCredentialsExpired()
          throws Exception {
    String key = rig.createStream("turn-chain", 1);
    Relay origin = rig.origin("turn-chain", key);
    PeerFactory relayOnly =
        rig.add(new PeerFactory(PeerFactory.Settings.defaults().withRelayOnly()));

    long started = System.nanoTime();
    Relay first = booster(relayOnly, rig.base, "turn-chain");
    long welcomed = System.nanoTime();
    String firstId = first.node().nodeId();
    await(
        () -> origin.node().nodeId().equals(first.node().parentId()),
        20_000,
        "the first booster links to the origin");
    long linked = System.nanoTime();
    await(
        () -> first.node().parentCandidatePair() != null,
        10_000,
        "the link's candidate pair is known");
    CandidatePair pair = first.node().parentCandidatePair();
    System.out.printf(
        "TurnIT: relay-only booster linked to the origin %d ms after its welcome (%d ms after it"
            + " started), over %s candidates%n",
        (linked - welcomed) / 1_000_000, (linked - started) / 1_000_000, pair);
    assertThat(pair.local()).as("our end is a TURN allocation").isEqualTo("relay");
    assertThat(pair.relayed()).isTrue();

    // The stream arrives over that link, byte for byte.
    awaitSegments(first, "turn-chain", 3);
    for (long seq : StreamRig.sequences(first, "turn-chain")) {
      assertThat(StreamRig.segment(first, "turn-chain", seq))
          .as("segment %d", seq)
          .isEqualTo(StreamRig.segment(origin, "turn-chain", seq));
    }
    assertThat(first.node().bytesFromParent())
        .isPositive()
        .isGreaterThan(4 * first.node().bytesByFallback());
    // coturn saw the booster's own username, and data relayed for it (a permission and a channel to
    // the origin).
    List<String> seen = coturn.linesAbout(firstId);
    assertThat(seen)
        .anyMatch(l -> l.contains("ALLOCATE processed, success"))
        .anyMatch(l -> l.contains("CREATE_PERMISSION processed, success"));
    long firstExpiry = expiries(firstId).get(0);

    // Past the expiry of the welcome's credentials the first booster answers a second one: its end
    // of the new link allocates with the fresh credentials the coordinator sent it since
    // (ice-servers), not the expired ones.
    long wait = firstExpiry * 1000 + 1500 - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
    Relay second = booster(relayOnly, rig.base, "turn-chain");
    long secondWelcomed = System.nanoTime();
    await(
        () -> firstId.equals(second.node().parentId()),
        20_000,
        "the second booster links to the first");
    System.out.printf(
        "TurnIT: second relay-only booster linked to the first %d ms after its welcome%n",
        (System.nanoTime() - secondWelcomed) / 1_000_000);
    await(
        () -> second.node().parentCandidatePair() != null,
        10_000,
        "the second link's candidate pair is known");
    assertThat(second.node().parentCandidatePair()).isEqualTo(new CandidatePair("relay", "relay"));
    assertThat(expiries(firstId))
        .as("the first booster allocated again with renewed credentials")
        .anyMatch(e -> e > firstExpiry);
    awaitSegments(second, "turn-chain", 2);
    // And the first link, whose credentials have expired meanwhile, is still the same one.
    assertThat(first.node().parentId()).isEqualTo(origin.node().nodeId());
    assertThat(first.node().parentCandidatePair()).isEqualTo(pair);
  }

  @Test
  void credentialsSignedWithAnotherSecretAreRefusedAndNoLinkOpens() throws Exception {
    String key = rig.createStream("turn-wrong", 4);
    rig.origin("turn-wrong", key);
    // A coordinator of the cluster whose secret is not coturn's (a rotation half done, a typo).
    Coordinator stale = rig.member(0, Map.of("ice.turn.secret", "not-" + coturn.secret));
    try {
      PeerFactory relayOnly =
          rig.add(new PeerFactory(PeerFactory.Settings.defaults().withRelayOnly()));
      Relay refused = booster(relayOnly, "http://127.0.0.1:" + stale.port(), "turn-wrong");
      String id = refused.node().nodeId();
      await(
          () -> coturn.linesAbout(id).stream().anyMatch(l -> l.contains("error 401")),
          15_000,
          "coturn answers the booster's credentials with 401");
      Thread.sleep(8000); // well past a link's usual open time here
      assertThat(refused.node().parentId()).as("no link without a relay candidate").isNull();
      assertThat(refused.node().bytesFromParent()).isZero();
      assertThat(coturn.linesAbout(id))
          .noneMatch(l -> l.contains("processed, success"))
          .anyMatch(
              l ->
                  l.contains("Cannot find credentials of user")
                      || l.contains("credentials are incorrect"));
    } finally {
      stale.stop();
    }
  }

  /**
   * The page passes its welcome's TURN entry to RTCPeerConnection as it is: with every connection
   * of the page held to relayed candidates (an init script; the page's code is untouched), it links
   * to its parent only if coturn accepts the username and credential the page was given.
   */
  @Test
  void aPageLinksThroughTurnWithTheCredentialsOfItsWelcome() throws Exception {
    assumeTrue(Chromium.EXECUTABLE.toFile().canExecute(), "no " + Chromium.EXECUTABLE);
    String key = rig.createStream("turn-page", 1);
    Relay origin = rig.origin("turn-page", key);
    awaitSegments(origin, "turn-page", 2);
    try (Chromium chromium = Chromium.launch()) {
      com.microsoft.playwright.Page page = chromium.newPeerPage();
      page.addInitScript(
          "(() => { const Native = window.RTCPeerConnection;"
              + " window.RTCPeerConnection = class extends Native {"
              + "   constructor(config, ...rest) { super(Object.assign({}, config, { iceTransportPolicy: 'relay' }), ...rest); }"
              + " }; })();");
      PageViewer viewer = PageViewer.open("turn-page", page, rig.base, "turn-page", "?p2p=1");
      viewer.waitJoined();
      String pageId = (String) page.evaluate("() => window.waterfall.state.nodeId");
      viewer.waitFor(
          "id => window.waterfall.state.parentId === id", origin.node().nodeId(), 30_000);
      viewer.waitFor("() => window.waterfall.state.bytesFromParent > 0", null, 30_000);
      assertThat(coturn.linesAbout(pageId))
          .as("the page's own TURN username at coturn")
          .anyMatch(l -> l.contains("ALLOCATE processed, success"))
          .anyMatch(l -> l.contains("CREATE_PERMISSION processed, success"));
      System.out.printf(
          "TurnIT: page %s linked to the origin through TURN; state %s%n",
          pageId, page.evaluate("() => JSON.stringify(window.waterfall.state)"));
    }
  }

  /**
   * coturn keeps an allocation's key for its session, so the allocation refreshes past its
   * username's expiry: libwebrtc refreshes a 600 s allocation about a minute before its end, so
   * this takes ten minutes.
   */
  @Test
  @EnabledIfSystemProperty(named = "waterfall.it.long", matches = "true")
  void aLinkThroughTurnOutlivesItsCredentialsAndTheAllocationRefreshes() throws Exception {
    String key = rig.createStream("turn-long", 1);
    Relay origin = rig.origin("turn-long", key);
    PeerFactory relayOnly =
        rig.add(new PeerFactory(PeerFactory.Settings.defaults().withRelayOnly()));
    Relay booster = booster(relayOnly, rig.base, "turn-long");
    String id = booster.node().nodeId();
    await(() -> origin.node().nodeId().equals(booster.node().parentId()), 20_000, "linked");
    long expiry = expiries(id).get(0);
    Pattern refreshed =
        Pattern.compile(
            "user <"
                + expiry
                + ":"
                + Pattern.quote(id)
                + ">: incoming packet REFRESH"
                + " processed, success");
    long started = System.currentTimeMillis();
    await(
        () ->
            coturn
                .log()
                .lines()
                .anyMatch(
                    l -> refreshed.matcher(l).find() && System.currentTimeMillis() / 1000 > expiry),
        12 * 60_000,
        "a refresh with the expired username");
    System.out.printf(
        "TurnIT: the allocation made with credentials that expired at %d refreshed after %d s%n",
        expiry, (System.currentTimeMillis() - started) / 1000);
    long before = booster.node().bytesFromParent();
    Thread.sleep(10_000);
    assertThat(booster.node().parentId()).isEqualTo(origin.node().nodeId());
    assertThat(booster.node().bytesFromParent()).isGreaterThan(before);
  }

  // --- helpers
  // ----------------------------------------------------------------------------------------------

  private static Relay booster(PeerFactory peers, String coordinator, String stream)
      throws Exception {
    return rig.add(
        Relay.startBooster(
            rig.vertx,
            peers,
            new Relay.Options(
                List.of(coordinator), stream, rig.boosterToken(), "127.0.0.1", 0, null)));
  }

  /** The expiries of the usernames a node allocated with, in the order coturn logged them. */
  private static List<Long> expiries(String nodeId) {
    return coturn.linesAbout(nodeId).stream()
        .map(ALLOCATED::matcher)
        .filter(Matcher::find)
        .filter(m -> m.group(2).equals(nodeId))
        .map(m -> Long.parseLong(m.group(1)))
        .toList();
  }

  private static void awaitSegments(Relay relay, String stream, int count)
      throws InterruptedException {
    await(
        () -> StreamRig.sequences(relay, stream).size() >= count,
        40_000,
        count + " segments at " + relay.node().nodeId());
  }

  private static void await(BooleanSupplier done, long timeoutMs, String what)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "not within " + timeoutMs + " ms: " + what + "\ncoturn:\n" + tail(coturn.log(), 40));
      }
      Thread.sleep(100);
    }
  }

  private static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}

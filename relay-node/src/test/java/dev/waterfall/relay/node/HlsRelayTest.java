package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.protocol.Message;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.node.FakeLinks.FakeLink;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.segment.TestSegments;
import dev.waterfall.relay.store.MutableClock;
import dev.waterfall.relay.store.SegmentStore;
import dev.waterfall.relay.store.StoreLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HLS relay's policies over fake links, in memory: make-before-break, starving and bad-data
 * reports, slow children, draining. Frames are real, signed and verified by the store.
 */
class HlsRelayTest {
  private static final int CHUNK = 1000;
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final Vertx vertx = Vertx.vertx(); // the fallback fetcher's HTTP client; never called
  private final FakeLinks links = new FakeLinks();
  private final List<Message> toCoordinator = new ArrayList<>();
  private final NodeStats stats = new NodeStats();
  private final SegmentStore store =
      new SegmentStore(TestSegments.SIGNER.verifier(), StoreLimits.defaults(), clock);
  private final HlsRelay relay =
      new HlsRelay(
          vertx,
          NodeSettings.booster(List.of("ws://127.0.0.1:1"), TestSegments.STREAM, "token", null),
          store,
          links,
          Runnable::run,
          toCoordinator::add,
          stats,
          clock);

  @AfterEach
  void closeVertx() {
    vertx.close();
  }

  private static Message.Welcome welcome(String parent, int depth) {
    return new Message.Welcome(
        "me", parent, depth, 4, "resume", false, 2000, List.of(), null, List.of());
  }

  /** Joins under {@code parent} at {@code depth} and opens the link: returns it. */
  private FakeLink joinedUnder(String parent, int depth) {
    relay.welcome(welcome(parent, depth));
    FakeLink link = links.last();
    link.opens();
    return link;
  }

  private List<Message.Report> reports(String reason) {
    return toCoordinator.stream()
        .filter(m -> m instanceof Message.Report r && r.reason().equals(reason))
        .map(m -> (Message.Report) m)
        .toList();
  }

  /** Segment {@code seq} as the parent sends it: its header frame, then its chunk frames. */
  private static List<byte[]> segmentFrames(long seq, int length) {
    byte[] bytes = TestSegments.bytes(length, seq);
    SignedHeader h = TestSegments.signed(seq, bytes, CHUNK);
    List<byte[]> frames = new ArrayList<>();
    frames.add(FrameCodec.encode(new Frame.Header(h)));
    for (int i = 0; i * CHUNK < length; i++) {
      byte[] chunk =
          java.util.Arrays.copyOfRange(bytes, i * CHUNK, Math.min(length, (i + 1) * CHUNK));
      frames.add(FrameCodec.encode(new Frame.Chunk(seq, i, chunk)));
    }
    return frames;
  }

  private void ticks(long forMs) {
    for (long t = 0; t < forMs; t += GapFiller.TICK_MS) {
      clock.advance(GapFiller.TICK_MS);
      relay.tick(clock.millis());
    }
  }

  @Test
  void theOldParentIsKeptUntilTheNewLinkOpens() {
    FakeLink a = joinedUnder("A", 2);
    relay.message(new Message.Reparent("B", 2, "repair"));
    FakeLink b = links.last();
    assertThat(b.offers).isTrue();
    assertThat(a.closed).as("A still feeds us while B connects").isFalse();
    assertThat(relay.parentId()).isEqualTo("A");

    b.opens();
    assertThat(a.closed).isTrue();
    assertThat(relay.parentId()).isEqualTo("B");
  }

  @Test
  void aNewLinkThatNeverOpensLeavesTheOldParentInCharge() {
    FakeLink a = joinedUnder("A", 2);
    relay.message(new Message.Reparent("B", 2, "repair"));
    links.last().drops();
    assertThat(a.closed).isFalse();
    assertThat(relay.parentId()).isEqualTo("A");
  }

  @Test
  void anOriginThatReconnectedIsConnectedToAgainUnderTheSameId() {
    FakeLink a = joinedUnder("origin", 1);
    relay.message(new Message.Reparent("origin", 1, "origin-reconnected"));
    assertThat(a.closed).isTrue();
    assertThat(links.last()).isNotSameAs(a);
    assertThat(links.last().offers).isTrue();
  }

  @Test
  void aDeadLinkToTheAssignedParentIsReportedAfterFiveSecondsThenEveryFive() {
    joinedUnder("A", 2).drops();
    ticks(Upstream.NO_LINK_REPORT_MS);
    assertThat(reports("starving")).isEmpty();
    ticks(GapFiller.TICK_MS);
    assertThat(reports("starving"))
        .singleElement()
        .satisfies(r -> assertThat(r.about()).isEqualTo("A"));
    ticks(Upstream.NO_LINK_REPORT_MS - GapFiller.TICK_MS);
    assertThat(reports("starving")).hasSize(1);
    ticks(2 * GapFiller.TICK_MS);
    assertThat(reports("starving")).hasSize(2);
  }

  /** The parent delivers one segment; {@code healed} bytes come over HTTP meanwhile. */
  private void parentSuppliesOneSegmentOf(FakeLink parent, long healed) {
    segmentFrames(10, 4 * CHUNK).forEach(parent::delivers);
    assertThat(store.isComplete(10)).isTrue();
    stats.bytesByFallback += healed;
  }

  @Test
  void aParentSupplyingUnderHalfIsReportedWithItsShare() {
    FakeLink a = joinedUnder("A", 2);
    ticks(GapFiller.TICK_MS);
    parentSuppliesOneSegmentOf(a, 100_000);
    ticks(StarvationWatch.WINDOW_MS);
    assertThat(reports("starving"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.about()).isEqualTo("A");
              assertThat(r.share()).isBetween(0.0, 0.1);
            });
  }

  @Test
  void aParentSupplyingMostOfTheStreamIsNotReported() {
    FakeLink a = joinedUnder("A", 2);
    ticks(GapFiller.TICK_MS);
    parentSuppliesOneSegmentOf(a, 1000);
    ticks(StarvationWatch.WINDOW_MS);
    assertThat(reports("starving")).isEmpty();
  }

  @Test
  void underTheRootNoStarvingReportIsSentForThereIsNowhereElseToGo() {
    FakeLink a = joinedUnder("origin", 1);
    ticks(GapFiller.TICK_MS);
    parentSuppliesOneSegmentOf(a, 100_000);
    ticks(StarvationWatch.WINDOW_MS);
    assertThat(reports("starving")).isEmpty();
  }

  @Test
  void badDataIsReportedAtMostOnceEveryTwoSecondsAndNeverStored() {
    FakeLink a = joinedUnder("A", 2);
    SegmentSigner impostor = SegmentSigner.generate();
    byte[] forged =
        FrameCodec.encode(
            new Frame.Header(impostor.sign(TestSegments.header(10, new byte[2000], CHUNK))));
    a.delivers(forged);
    a.delivers(forged);
    assertThat(reports("bad-data")).hasSize(1);
    clock.advance(Upstream.BAD_DATA_REPORT_MS + 1);
    a.delivers(forged);
    assertThat(reports("bad-data")).hasSize(2);
    assertThat(store.size()).isZero();
    assertThat(stats.verificationFailures).isEqualTo(3);
  }

  @Test
  void whatAChildSendsNeverReachesTheStore() {
    joinedUnder("A", 2);
    relay.message(new Message.ChildJoined("C"));
    FakeLink c = links.last();
    c.opens();
    segmentFrames(10, 2 * CHUNK).forEach(c::delivers);
    assertThat(store.size()).isZero();
  }

  @Test
  void framesGoCutThroughToChildrenAndANewChildGetsTheBacklog() {
    FakeLink a = joinedUnder("A", 2);
    relay.message(new Message.ChildJoined("C"));
    FakeLink c = links.last();
    c.opens();
    List<byte[]> first = segmentFrames(10, 2 * CHUNK);
    first.forEach(a::delivers);
    assertThat(c.sent).containsExactlyElementsOf(first);

    relay.message(new Message.ChildJoined("D"));
    FakeLink d = links.last();
    d.opens();
    assertThat(d.sent).as("the backlog: header and chunks").hasSize(first.size());
  }

  @Test
  void howFarBehindTheOriginHeadersAndWholeSegmentsArriveIsMeasured() {
    MeterRegistry registry = new SimpleMeterRegistry();
    stats.bind(registry, relay.forwarder());
    FakeLink a = joinedUnder("A", 1);
    List<byte[]> frames = segmentFrames(10, 2 * CHUNK); // produced at the clock's start + 10 ms
    clock.advance(200);
    a.delivers(frames.get(0));
    clock.advance(300);
    a.delivers(frames.get(1));
    assertThat(behind(registry, "complete").count()).as("not yet whole").isZero();
    a.delivers(frames.get(2));

    assertThat(behind(registry, "header").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(190);
    assertThat(behind(registry, "complete").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(490);
    // the heartbeat's figures for the dashboard: percentiles of a one-sample window
    JsonNode heartbeat = stats.toJson(relay.forwarder());
    assertThat(heartbeat.get("segmentBehindP50Ms").longValue()).isCloseTo(490, within(20L));
    assertThat(heartbeat.get("headerBehindP95Ms").longValue()).isCloseTo(190, within(20L));
  }

  private static Timer behind(MeterRegistry registry, String stage) {
    return registry.get("waterfall.relay.behind.origin").tag("stage", stage).timer();
  }

  @Test
  void aChildWhoseQueueStaysAboveHighWaterIsSkippedThenReportedSlow() {
    FakeLink a = joinedUnder("A", 2);
    relay.message(new Message.ChildJoined("slow"));
    FakeLink slow = links.last();
    slow.opens();
    relay.message(new Message.ChildJoined("fast"));
    FakeLink fast = links.last();
    fast.opens();
    slow.queued = Forwarder.MIN_HIGH_WATER + 1;

    List<byte[]> frames = segmentFrames(10, 2 * CHUNK);
    frames.forEach(a::delivers);
    assertThat(slow.sent).isEmpty();
    assertThat(fast.sent).hasSize(frames.size());

    ticks(NodeSettings.booster(List.of(), "s", "k", null).slowChildReportMs());
    assertThat(reports("slow-child")).isEmpty();
    ticks(2 * GapFiller.TICK_MS);
    assertThat(reports("slow-child"))
        .singleElement()
        .satisfies(r -> assertThat(r.about()).isEqualTo("slow"));
  }

  @Test
  void aChildThatCaughtUpIsNotReported() {
    FakeLink a = joinedUnder("A", 2);
    relay.message(new Message.ChildJoined("C"));
    FakeLink c = links.last();
    c.opens();
    c.queued = Forwarder.MIN_HIGH_WATER + 1;
    segmentFrames(10, 2 * CHUNK).forEach(a::delivers);
    c.queued = 0; // drained before the report was due
    ticks(2 * NodeSettings.booster(List.of(), "s", "k", null).slowChildReportMs());
    assertThat(reports("slow-child")).isEmpty();
  }

  @Test
  void aLeavingChildsLinkClosesAtOnceExceptWhileDraining() {
    joinedUnder("A", 2);
    relay.message(new Message.ChildJoined("C"));
    FakeLink c = links.last();
    c.opens();
    relay.message(new Message.ChildLeft("C"));
    assertThat(c.closed).isTrue();

    relay.message(new Message.ChildJoined("D"));
    FakeLink d = links.last();
    d.opens();
    relay.drain();
    relay.message(new Message.ChildLeft("D"));
    assertThat(d.closed).as("D closes it once its new parent's data flows").isFalse();
    assertThat(relay.children()).isEqualTo(1);
    d.drops();
    assertThat(relay.children()).isZero();
  }
}

package dev.waterfall.relay.node;

import dev.waterfall.protocol.Message;
import dev.waterfall.relay.key.PublishKey;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import dev.waterfall.relay.llhls.PartLedger;
import dev.waterfall.relay.peer.CandidatePair;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.realtime.AudioChunkRelay;
import dev.waterfall.relay.realtime.TrackRelay;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.store.SegmentStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay in the tree (the origin or a booster): its session with the coordinators, and the
 * {@link StreamRelay} its welcome chose: {@link HlsRelay} for an HLS stream, {@link TrackRelay} for
 * a realtime one. All state lives on one Vert.x context; WebRTC and HTTP callbacks are moved onto
 * it.
 */
public final class RelayNode implements CoordinatorSession.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(RelayNode.class);
  private final Context context;
  private final NodeSettings settings;
  private final PeerFactory peers;
  private final NodeStats stats = new NodeStats();
  private final Clock clock;
  private final CoordinatorSession session;

  private final Promise<Void> joined = Promise.promise();
  private final Promise<Message.Error> refused = Promise.promise();

  /** An origin's key as its own ingest checks it, kept in step with rotations (null: none). */
  private volatile PublishKey publishKey;

  /** The HLS half, made up front when the node has a store (null: a realtime node only). */
  private final HlsRelay hls;

  /** Which relay is in charge; its track relay is the realtime half. */
  private final RelayChoice relays;

  private long timer = -1;

  /**
   * {@code store} is this node's (its HTTP server may already serve it); its verifier holds the
   * stream's key. Null for a node that only ever relays a realtime stream (it has no segments).
   */
  public RelayNode(
      Vertx vertx, NodeSettings settings, PeerFactory peers, SegmentStore store, Clock clock) {
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.peers = peers;
    this.clock = clock;
    Executor onContext = task -> context.runOnContext(v -> task.run());
    this.hls =
        store == null
            ? null
            : new HlsRelay(
                vertx,
                settings,
                store,
                EdgeLinks.webRtc(peers),
                onContext,
                this::send,
                stats,
                clock);
    this.relays =
        new RelayChoice(
            settings.isOrigin(),
            settings.stream(),
            hls,
            () -> new TrackRelay(context, peers, this::send));
    Forwarder forwarder = hls == null ? null : hls.forwarder();
    this.session =
        new CoordinatorSession(
            context,
            settings.coordinators(),
            settings.trust(),
            this::joinMessage,
            () -> stats.toJson(forwarder),
            this);
  }

  public Context context() {
    return context;
  }

  /** The segment store (null for a realtime-only node). */
  public SegmentStore store() {
    return hls == null ? null : hls.store();
  }

  public String nodeId() {
    return session.nodeId();
  }

  /**
   * The ICE candidate types of the pair carrying the link to the parent ({@code relay/host}:
   * through our TURN allocation), asked once the link opens; null while there is no parent link, or
   * before libwebrtc answered.
   */
  public CandidatePair parentCandidatePair() {
    return stats.parentCandidatePair;
  }

  /** The parent this node has a working link to (null while it has none). */
  public String parentId() {
    StreamRelay r = relays.current();
    return r == null ? null : r.parentId();
  }

  /**
   * Bytes received from the parent over the tree, and fetched over HTTP instead (what heartbeats
   * report).
   */
  public long bytesFromParent() {
    return stats.bytesFromParent;
  }

  public long bytesByFallback() {
    return stats.bytesByFallback;
  }

  public int children() {
    StreamRelay r = relays.current();
    return r == null ? 0 : r.children();
  }

  /** Realtime stream only: video frames received from the parent (0 otherwise). */
  public long framesFromParent() {
    TrackRelay tracks = relays.tracks();
    return tracks == null ? 0 : tracks.framesFromParent();
  }

  /** Realtime stream only: the audio chunks forwarded to children (null otherwise). */
  public AudioChunkRelay realtimeAudio() {
    TrackRelay tracks = relays.tracks();
    return tracks == null ? null : tracks.audio();
  }

  /**
   * Bytes this node's HTTP server has served so far, reported in heartbeats (the origin's count as
   * egress).
   */
  public void countHttpServed(LongSupplier served) {
    stats.httpBytesServed = served;
  }

  public void bindMetrics(MeterRegistry registry) {
    stats.bind(registry, hls == null ? null : hls.forwarder());
  }

  private HlsRelay hls() {
    if (hls == null) {
      throw new IllegalStateException("this node has no segment store: it relays tracks only");
    }
    return hls;
  }

  /**
   * Origin only: sign and send segments with this signer, and announce its public key when joining.
   */
  public void useSigner(SegmentSigner signer) {
    hls().useSigner(signer);
  }

  /**
   * Origin of a realtime stream (fed over WHIP): this node's media relay, made before {@link
   * #start} so the publisher's session can hand it tracks. The join then carries the key alone, as
   * the /publish page's does.
   */
  public TrackRelay realtimeRoot() {
    if (!settings.isOrigin() || hls != null && hls.publicKey() != null) {
      throw new IllegalStateException("only an origin without a signer is a realtime root");
    }
    return relays.tracksNow();
  }

  /** Origin only: one more segment of the live stream (call on any thread). */
  public void publish(MediaSegment segment) {
    context.runOnContext(v -> hls.publish(segment));
  }

  /**
   * Booster: also carry LL-HLS parts, verified into {@code ledger} (which its /ll/ serves): it asks
   * its parent for them, forwards them to children that ask, and heals them over HTTP per part.
   * Call before {@link #start}.
   */
  public void carryParts(PartLedger ledger) {
    hls().carryParts(ledger);
  }

  /**
   * Origin: put each part {@code ll} cuts into the tree as it is cut (its signer must be this
   * node's). Call before {@link #start}.
   */
  public void carryParts(LlHlsOrigin ll) {
    hls().carryParts(ll);
  }

  /** LL-HLS parts completed over HTTP rather than from the parent (0 without parts). */
  public long partsByFallback() {
    return hls == null ? 0 : hls.partsByFallback();
  }

  /** Part frames from the parent that failed verification (0 without parts). */
  public long partFramesRejected() {
    return hls == null ? 0 : hls.partFramesRejected();
  }

  /** Joins the tree; the future completes at the first welcome. */
  public Future<Void> start() {
    context.runOnContext(
        v -> {
          session.start();
          timer = context.owner().setPeriodic(GapFiller.TICK_MS, t -> tick());
        });
    return joined.future();
  }

  private Message.Join joinMessage() {
    // The origin always offers a content key; the coordinator keeps it only for a private stream.
    boolean origin = settings.isOrigin() && hls != null;
    return new Message.Join(
        settings.stream(),
        settings.role(),
        settings.key(),
        true,
        null,
        origin ? hls.publicKey() : null,
        settings.httpUrl(),
        origin ? hls.contentKey() : null,
        settings.isOrigin() ? settings.ingest() : null,
        settings.maxChildren());
  }

  // --- signalling
  // -----------------------------------------------------------------------------------------

  @Override
  public void welcome(Message.Welcome w) {
    LOG.info(
        "{} in stream '{}' as {} at depth {} (parent {})",
        w.resumed() ? "resumed" : "joined",
        settings.stream(),
        w.nodeId(),
        w.depth(),
        w.parent());
    try {
      relays.atWelcome(TrackRelay.isRealtime(w)).welcome(w);
    } catch (IllegalStateException refusedHere) {
      joined.tryFail(refusedHere);
      return;
    }
    joined.tryComplete();
  }

  @Override
  public void message(Message m) {
    if (m instanceof Message.PublishKey k) {
      // Any origin, HLS or realtime (WHIP): its own ingest follows the rotation.
      if (publishKey != null && settings.isOrigin() && publishKey.rotated(k.keyHash())) {
        LOG.warn(
            "the publish key of '{}' was rotated: this origin's ingest now takes only the new key"
                + " (restart it with the new key before it must join again)",
            settings.stream());
      }
      return;
    }
    StreamRelay r = relays.current();
    if (r != null) {
      r.message(m);
    }
  }

  @Override
  public void fatal(Message.Error error) {
    joined.tryFail(new IllegalStateException(error.code() + ": " + error.message()));
    refused.tryComplete(error);
  }

  /**
   * Completes when the coordinator refused this node for good, before or after its welcome (a
   * rotated key, a deleted stream): the node will not rejoin, and its process should end.
   */
  public Future<Message.Error> refused() {
    return refused.future();
  }

  /** The origin's ingest checks {@code key}; a {@code publish-key} message rotates it. */
  public void followKey(PublishKey key) {
    this.publishKey = key;
  }

  private void send(Message m) {
    session.send(m);
  }

  // --- housekeeping
  // ---------------------------------------------------------------------------------------

  private void tick() {
    StreamRelay r = relays.current();
    if (r == null) {
      return;
    }
    r.tick(clock.millis());
    if (r == relays.tracks()) {
      stats.realtime = relays.tracks().stats(); // heartbeats and meters then tell of tracks
    }
  }

  /**
   * Hands every child over before this node goes: it asks for no children (0 slots) and completes
   * once the coordinator has moved them all and they have closed their links to it, or after {@code
   * timeoutMs}. The node keeps its place and its parent meanwhile, so each child's old link still
   * carries data until its new one does.
   */
  public Future<Void> drain(long timeoutMs) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          if (hls != null) {
            hls.drain();
          }
          session.refuseChildren();
          long until = System.nanoTime() + timeoutMs * 1_000_000;
          context
              .owner()
              .setPeriodic(
                  250,
                  t -> {
                    if (children() == 0 || System.nanoTime() > until) {
                      context.owner().cancelTimer(t);
                      done.tryComplete();
                    }
                  });
        });
    return done.future();
  }

  /**
   * Leaves the tree gracefully (children are re-attached by the coordinator), then drops every
   * link.
   */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          if (timer >= 0) {
            context.owner().cancelTimer(timer);
          }
          // Leave first, so the coordinator re-attaches our children at once; then close the links.
          Future<Void> left = session.stop();
          if (hls != null) {
            hls.close();
          }
          if (relays.tracks() != null) {
            relays.tracks().close();
          }
          left.onComplete(x -> done.complete());
        });
    return done.future();
  }
}

package dev.waterfall.relay.node;

import dev.waterfall.protocol.Message;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.frame.FrameException;
import dev.waterfall.relay.http.FallbackFetcher;
import dev.waterfall.relay.http.PartFetcher;
import dev.waterfall.relay.key.PublishKey;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import dev.waterfall.relay.llhls.PartFrame;
import dev.waterfall.relay.llhls.PartLedger;
import dev.waterfall.relay.peer.CandidatePair;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.realtime.TrackRelay;
import dev.waterfall.relay.segment.ContentCipher;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.store.ChunkResult;
import dev.waterfall.relay.store.HeaderResult;
import dev.waterfall.relay.store.SegmentStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay in the tree (the origin or a booster): takes verified frames from its parent (or its
 * publisher), keeps them in the store, forwards them cut-through to its children, and heals gaps
 * over HTTP. All state lives on one Vert.x context; WebRTC and HTTP callbacks are moved onto it.
 */
public final class RelayNode implements PeerEdge.Events, CoordinatorSession.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(RelayNode.class);
  private final Context context;
  private final NodeSettings settings;
  private final PeerFactory peers;
  private final SegmentStore store;
  private final Forwarder forwarder;
  private final GapFiller gapFiller;
  private final NodeStats stats = new NodeStats();
  private final Clock clock;
  private final CoordinatorSession session;

  /**
   * Handing the children over (drain): a child the coordinator moved keeps its link until it closes
   * it.
   */
  private boolean draining;

  private final Promise<Void> joined = Promise.promise();
  private final Promise<Message.Error> refused = Promise.promise();

  /** An origin's key as its own ingest checks it, kept in step with rotations (null: none). */
  private volatile PublishKey publishKey;

  private List<Message.IceServer> ice = List.of();
  private List<String> fallbacks = new ArrayList<>();
  private PeerEdge parent;
  private PeerEdge pendingParent;

  /** The parent the coordinator last named, connected or not. */
  private String assignedParent;

  private long lastParentFrameAt;
  private long parentLostAt = -1;
  private long lastBadDataReport;

  /** Whether the parent's open link starves us; judged by bytes the store accepted from it. */
  private final StarvationWatch starvation = new StarvationWatch();

  private long acceptedFromParent;

  /**
   * Depth in the last welcome or reparent: 1 means the parent is the root, which no report can move
   * us from.
   */
  private int depth = -1;

  private long timer = -1;
  private long ticks;
  private String publicKey;
  private Publisher publisher;

  /** Origin only: this run's content key, used if the coordinator says the stream is private. */
  private ContentCipher contentCipher;

  /**
   * A booster in a realtime stream forwards media tracks instead (set at the welcome; the HLS parts
   * stay idle).
   */
  private TrackRelay tracks;

  /** LL-HLS parts through this node (null: it carries segments only). */
  private TreeParts parts;

  /** Origin only: parts are signed for the tree, which refuses them for a private stream. */
  private boolean partsAtOrigin;

  /**
   * {@code store} is this node's (its HTTP server may already serve it); its verifier holds the
   * stream's key.
   */
  public RelayNode(
      Vertx vertx, NodeSettings settings, PeerFactory peers, SegmentStore store, Clock clock) {
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.peers = peers;
    this.clock = clock;
    this.store = store;
    this.forwarder =
        new Forwarder(
            store,
            settings.slowChildReportMs(),
            child -> send(new Message.Report(child, "slow-child", "send queue above high water")));
    this.gapFiller =
        settings.isOrigin()
            ? null
            : new GapFiller(
                store,
                new FallbackFetcher(
                    vertx,
                    settings.stream(),
                    store,
                    () -> fallbacks,
                    FallbackFetcher.DEFAULT_TIMEOUT,
                    settings.trust()),
                settings.chunkDeadlineMs(),
                settings.parentSilenceMs(),
                this::fromFallback,
                clock::millis);
    this.session =
        new CoordinatorSession(
            context,
            settings.coordinators(),
            settings.trust(),
            this::joinMessage,
            () -> stats.toJson(forwarder),
            this);
    this.lastParentFrameAt = clock.millis();
  }

  public Context context() {
    return context;
  }

  public SegmentStore store() {
    return store;
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
    if (tracks != null) {
      return tracks.parentId();
    }
    return parent == null ? null : parent.peerId;
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
    return tracks != null ? tracks.children() : forwarder.children().size();
  }

  /** Realtime stream only: video frames received from the parent (0 otherwise). */
  public long framesFromParent() {
    return tracks == null ? 0 : tracks.framesFromParent();
  }

  /** Realtime stream only: the audio chunks forwarded to children (null otherwise). */
  public dev.waterfall.relay.realtime.AudioChunkRelay realtimeAudio() {
    return tracks == null ? null : tracks.audio();
  }

  /**
   * Bytes this node's HTTP server has served so far, reported in heartbeats (the origin's count as
   * egress).
   */
  public void countHttpServed(java.util.function.LongSupplier served) {
    stats.httpBytesServed = served;
  }

  public void bindMetrics(MeterRegistry registry) {
    stats.bind(registry, forwarder);
  }

  /**
   * Origin only: sign and send segments with this signer, and announce its public key when joining.
   */
  public void useSigner(SegmentSigner signer) {
    this.publicKey = signer.publicKeyBase64();
    this.publisher =
        new Publisher(settings.stream(), signer, store, this::fromPublisher, clock::millis);
    this.contentCipher = ContentCipher.generate();
  }

  /**
   * Origin of a realtime stream (fed over WHIP): this node's media relay, made before {@link
   * #start} so the publisher's session can hand it tracks. The join then carries the key alone, as
   * the /publish page's does.
   */
  public TrackRelay realtimeRoot() {
    if (!settings.isOrigin() || publicKey != null) {
      throw new IllegalStateException("only an origin without a signer is a realtime root");
    }
    if (tracks == null) {
      tracks = new TrackRelay(context, peers, this::send);
    }
    return tracks;
  }

  /** Origin only: one more segment of the live stream (call on any thread). */
  public void publish(MediaSegment segment) {
    context.runOnContext(v -> publisher.publish(segment));
  }

  /**
   * Booster: also carry LL-HLS parts, verified into {@code ledger} (which its /ll/ serves): it asks
   * its parent for them, forwards them to children that ask, and heals them over HTTP per part.
   * Call before {@link #start}.
   */
  public void carryParts(PartLedger ledger) {
    this.parts =
        new TreeParts(
            ledger,
            forwarder,
            new PartFetcher(
                context.owner(), settings.stream(), ledger, () -> fallbacks, settings.trust()));
  }

  /**
   * Origin: put each part {@code ll} cuts into the tree as it is cut (its signer must be this
   * node's). Call before {@link #start}.
   */
  public void carryParts(LlHlsOrigin ll) {
    this.parts = new TreeParts(ll.ledger(), forwarder, null);
    this.partsAtOrigin = true;
    ll.onFrames(frames -> context.runOnContext(v -> parts.published(frames, clock.millis())));
  }

  /** LL-HLS parts completed over HTTP rather than from the parent (0 without parts). */
  public long partsByFallback() {
    return parts == null ? 0 : parts.partsByFallback();
  }

  /** Part frames from the parent that failed verification (0 without parts). */
  public long partFramesRejected() {
    return parts == null ? 0 : parts.rejectedFromParent;
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
    return new Message.Join(
        settings.stream(),
        settings.role(),
        settings.key(),
        true,
        null,
        settings.isOrigin() ? publicKey : null,
        settings.httpUrl(),
        settings.isOrigin() && contentCipher != null ? contentCipher.keyBase64() : null,
        settings.isOrigin() ? settings.ingest() : null,
        settings.maxChildren());
  }

  // --- frames: from the parent, from the publisher, from a fallback fetch
  // ---------------------------------

  /**
   * The origin's publisher and the gap filler hand over frames that are already stored and
   * verified.
   */
  private void fromPublisher(byte[] frame, Long seq) {
    forwarder.broadcast(frame, clock.millis());
  }

  private void fromFallback(byte[] frame, Long seq) {
    stats.bytesByFallback += frame.length;
    forwarder.broadcast(frame, clock.millis());
  }

  @Override
  public void frame(PeerEdge edge, byte[] bytes) {
    if (edge != parent && edge != pendingParent) {
      // Children send no media; nothing a child says reaches our store. A relay child asks for
      // parts.
      if (parts != null && TreeParts.isAsk(bytes)) {
        parts.childAsked(edge, TreeParts.asksSegments(bytes), clock.millis());
      }
      return;
    }
    lastParentFrameAt = clock.millis();
    stats.bytesFromParent += bytes.length;
    if (PartFrame.isPartFrame(bytes)) {
      if (parts != null && !parts.fromParent(bytes, lastParentFrameAt)) {
        badData(edge, "an LL-HLS part frame failed verification");
      }
      return;
    }
    Frame frame;
    try {
      frame = FrameCodec.decode(bytes);
    } catch (FrameException e) {
      stats.malformedFrames++;
      LOG.debug("malformed frame from parent {}: {}", edge.peerId, e.code());
      return;
    }
    if (frame instanceof Frame.Header h) {
      HeaderResult r = store.addHeader(h.signed());
      if (r == HeaderResult.STORED) {
        acceptedFromParent += bytes.length;
        forwarder.broadcast(bytes, lastParentFrameAt);
      } else if (r == HeaderResult.REJECTED) {
        badData(edge, "segment header " + h.signed().sequence() + " failed its signature");
      }
    } else if (frame instanceof Frame.Chunk c) {
      ChunkResult r = store.addChunk(c.sequence(), c.index(), c.payload());
      if (r == ChunkResult.STORED) {
        acceptedFromParent += bytes.length;
        forwarder.broadcast(bytes, lastParentFrameAt);
        if (store.isComplete(c.sequence())) {
          stats.segmentsComplete++;
        }
      } else if (r == ChunkResult.REJECTED) {
        badData(edge, "chunk " + c.index() + " of segment " + c.sequence() + " failed SHA-256");
        gapFiller.fetchNow(c.sequence(), c.index());
      }
    } else if (frame instanceof Frame.Window w) {
      forwarder.broadcast(bytes, lastParentFrameAt);
    }
  }

  private void badData(PeerEdge edge, String detail) {
    stats.verificationFailures++;
    long now = clock.millis();
    if (now - lastBadDataReport > 2000) {
      lastBadDataReport = now;
      LOG.warn("parent {} sent bad data ({}): reporting it", edge.peerId, detail);
      send(new Message.Report(edge.peerId, "bad-data", detail));
    }
  }

  // --- peer links
  // -----------------------------------------------------------------------------------------

  @Override
  public void opened(PeerEdge edge) {
    if (edge == pendingParent) {
      if (parent != null) {
        parent.close(); // the new link carries data now: only then let the old one go
      }
      parent = pendingParent;
      pendingParent = null;
      parentLostAt = -1;
      starvation.linkOpened();
      if (parts != null && !partsAtOrigin) {
        // a classic page parent ignores it; a relay or an LL page sends parts
        edge.send(TreeParts.ASK);
      }
      stats.parentCandidatePair = null;
      LOG.info("connected to parent {}", edge.peerId);
      edge.candidatePair(
          context,
          pair -> {
            if (edge == parent && pair != null) {
              stats.parentCandidatePair = pair;
              LOG.info(
                  "link to parent {}: {} candidates{}",
                  edge.peerId,
                  pair,
                  pair.relayed() ? " (through TURN)" : "");
            }
          });
    } else if (!edge.toParent) {
      forwarder.sendBacklog(edge, clock.millis());
    }
  }

  @Override
  public void drained(PeerEdge edge) {
    // Nothing queued to resume (frames skipped while a child was slow are healed by its own gap
    // filler), but a drained queue may end the uplink meter's busy period.
    if (!edge.toParent) {
      forwarder.drained(clock.millis());
    }
  }

  @Override
  public void closed(PeerEdge edge, String reason) {
    if (edge == parent) {
      LOG.info("link to parent {} closed ({}); HTTP fallback covers the gap", edge.peerId, reason);
      parent = null;
      starvation.linkClosed();
      stats.parentCandidatePair = null;
      parentLostAt = clock.millis();
    } else if (edge == pendingParent) {
      pendingParent = null;
      parentLostAt = clock.millis();
    } else {
      forwarder.forget(edge);
    }
  }

  private void connectTo(String parentId) {
    if (parentId == null || (parent != null && parent.peerId.equals(parentId) && !parent.closed)) {
      return;
    }
    assignedParent = parentId;
    lastParentFrameAt = clock.millis(); // give the new link its chance before HTTP steps in
    if (pendingParent != null) {
      pendingParent.close();
    }
    stats.parentChanges++;
    pendingParent = PeerEdge.toParent(parentId, peers, ice, context, this::send, this);
  }

  // --- signalling
  // -----------------------------------------------------------------------------------------

  @Override
  public void welcome(Message.Welcome w) {
    ice = w.iceServers() == null ? List.of() : w.iceServers();
    fallbacks = w.fallbacks() == null ? new ArrayList<>() : new ArrayList<>(w.fallbacks());
    fallbacks.remove(settings.httpUrl()); // never heal from ourselves
    LOG.info(
        "{} in stream '{}' as {} at depth {} (parent {})",
        w.resumed() ? "resumed" : "joined",
        settings.stream(),
        w.nodeId(),
        w.depth(),
        w.parent());
    if (settings.isOrigin() && tracks != null && !TrackRelay.isRealtime(w)) {
      joined.tryFail(
          new IllegalStateException(
              "'"
                  + settings.stream()
                  + "' is not a realtime stream: WHIP feeds"
                  + " only a stream created with \"type\":\"realtime\""));
      return;
    }
    if (tracks != null || !settings.isOrigin() && TrackRelay.isRealtime(w)) {
      if (tracks == null) {
        tracks = new TrackRelay(context, peers, this::send);
      }
      tracks.welcome(w);
      joined.tryComplete();
      return;
    }
    if (!settings.isOrigin()) {
      depth = w.depth();
      connectTo(w.parent());
    } else if (partsAtOrigin && w.stream() != null && w.stream().privateStream()) {
      // Parts would travel in the clear: refused until each is sealed as segments are.
      joined.tryFail(
          new IllegalStateException(
              "'"
                  + settings.stream()
                  + "' is private, and LL-HLS does not carry private streams yet"
                  + " (parts are not encrypted): publish it without --ll-hls"));
      return;
    } else if (publisher != null && w.stream() != null && w.stream().privateStream()) {
      // Before the first segment: the source is pumped only once start() completes, i.e. after this
      // welcome.
      publisher.encryptWith(contentCipher);
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
    if (tracks != null) {
      tracks.message(m);
      return;
    }
    if (m instanceof Message.Signal s) {
      onSignal(s);
    } else if (m instanceof Message.Reparent r) {
      if (r.parent() != null && !settings.isOrigin()) {
        if ("origin-reconnected".equals(r.reason()) && parent != null) {
          parent.close(); // same parent id, new process behind it: connect again
          parent = null;
        }
        depth = r.depth();
        connectTo(r.parent());
      }
    } else if (m instanceof Message.IceServers i) {
      // Fresh TURN credentials before the welcome's expire: for the links opened from now on.
      ice = i.iceServers() == null ? List.of() : i.iceServers();
      LOG.debug("ICE servers renewed: {}", ice);
    } else if (m instanceof Message.ChildLeft c) {
      if (!draining) {
        forwarder.remove(c.child());
        // else the child closes the link itself, once its new parent's data flows
        // (make-before-break)
      }
    } else if (m instanceof Message.ChildJoined c) {
      forwarder.add(PeerEdge.toChild(c.child(), peers, ice, context, this::send, this));
    }
  }

  private void onSignal(Message.Signal s) {
    PeerEdge target =
        pendingParent != null && pendingParent.peerId.equals(s.from())
            ? pendingParent
            : parent != null && parent.peerId.equals(s.from()) ? parent : forwarder.get(s.from());
    if (target == null) {
      // An offer from a child we were not told of yet (notices and signals race across
      // coordinators).
      target = PeerEdge.toChild(s.from(), peers, ice, context, this::send, this);
      forwarder.add(target);
    }
    target.signal(s.data());
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
    if (tracks != null) {
      // No segments, nothing to heal: only the tracks' counters, asked for once a second.
      if (++ticks % (1000 / GapFiller.TICK_MS) == 0) {
        tracks.pollStats();
      }
      stats.realtime = tracks.stats();
      return;
    }
    long now = clock.millis();
    stats.bufferSeconds =
        store.sequences().stream()
                .filter(store::isComplete)
                .mapToLong(
                    seq ->
                        store.header(seq).map(h -> (long) h.header().durationMillis()).orElse(0L))
                .sum()
            / 1000.0;
    forwarder.checkSlow(now);
    Integer uplink = forwarder.uplinkKbps(now);
    stats.uplinkKbps = uplink == null ? 0 : uplink;
    if (parts != null) {
      parts.tick(now, parent == null || now - lastParentFrameAt > settings.parentSilenceMs());
    }
    if (gapFiller != null) {
      gapFiller.tick(
          parent == null
              ? Math.min(lastParentFrameAt, now - settings.parentSilenceMs() - 1)
              : lastParentFrameAt);
      // A dead link to a parent the coordinator still lists: ask to be moved rather than wait
      // forever.
      if (parent == null
          && pendingParent == null
          && parentLostAt > 0
          && now - parentLostAt > 5000
          && assignedParent != null) {
        parentLostAt = now;
        send(new Message.Report(assignedParent, "starving", "no link to the parent for 5 s"));
      }
      double share =
          parent == null ? -1 : starvation.check(now, acceptedFromParent, stats.bytesByFallback);
      // Under the root there is nowhere else to go: the report would only come back as
      // report-ignored.
      if (share >= 0 && depth != 1) {
        String detail =
            String.format(
                "the parent supplied %.0f%% of the last %d s; the rest came over HTTP",
                share * 100, StarvationWatch.WINDOW_MS / 1000);
        LOG.info("parent {} starves this node ({}): reporting it", parent.peerId, detail);
        // The share itself tells the coordinator a withholder (~0 %) from a weak line (20–50 %).
        send(new Message.Report(parent.peerId, "starving", detail, share));
      }
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
          draining = true;
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
          forwarder.closeAll();
          if (tracks != null) {
            tracks.close();
          }
          if (parent != null) {
            parent.close();
          }
          if (pendingParent != null) {
            pendingParent.close();
          }
          left.onComplete(x -> done.complete());
        });
    return done.future();
  }
}

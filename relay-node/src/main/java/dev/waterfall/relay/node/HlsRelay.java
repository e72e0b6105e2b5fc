package dev.waterfall.relay.node;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.ReparentReason;
import dev.waterfall.protocol.ReportReason;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.frame.FrameException;
import dev.waterfall.relay.http.FallbackFetcher;
import dev.waterfall.relay.http.PartFetcher;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import dev.waterfall.relay.llhls.PartFrame;
import dev.waterfall.relay.llhls.PartLedger;
import dev.waterfall.relay.segment.ContentCipher;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.store.ChunkResult;
import dev.waterfall.relay.store.HeaderResult;
import dev.waterfall.relay.store.SegmentStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay of an HLS stream: takes verified frames from its parent (or its publisher), keeps them in
 * the store, forwards them cut-through to its children, and heals gaps over HTTP. Its policies: the
 * parent side's ({@link Upstream}: make-before-break, starving and bad-data reports), slow children
 * ({@link Forwarder}) and gap filling ({@link GapFiller}). Its edges' links come from {@link
 * EdgeLinks}, so those policies run in plain unit tests over fake links. Everything runs on the
 * node's context ({@code onContext}).
 */
final class HlsRelay implements StreamRelay, PeerEdge.Events {
  private static final Logger LOG = LoggerFactory.getLogger(HlsRelay.class);

  private final Vertx vertx;
  private final NodeSettings settings;
  private final SegmentStore store;
  private final EdgeLinks links;
  private final Executor onContext;
  private final Consumer<Message> signalling;
  private final NodeStats stats;
  private final Clock clock;
  private final Forwarder forwarder;
  private final GapFiller gapFiller;

  /**
   * Handing the children over (drain): a child the coordinator moved keeps its link until it closes
   * it.
   */
  private boolean draining;

  private List<Message.IceServer> ice = List.of();
  private List<String> fallbacks = new ArrayList<>();
  private final Upstream upstream;

  private String publicKey;
  private Publisher publisher;

  /** Origin only: this run's content key, used if the coordinator says the stream is private. */
  private ContentCipher contentCipher;

  /** LL-HLS parts through this node (null: it carries segments only). */
  private TreeParts parts;

  /** Origin only: parts are signed for the tree, which refuses them for a private stream. */
  private boolean partsAtOrigin;

  /**
   * {@code store}'s verifier holds the stream's key; {@code vertx} makes the HTTP clients that heal
   * gaps (a booster's).
   */
  HlsRelay(
      Vertx vertx,
      NodeSettings settings,
      SegmentStore store,
      EdgeLinks links,
      Executor onContext,
      Consumer<Message> signalling,
      NodeStats stats,
      Clock clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.store = store;
    this.links = links;
    this.onContext = onContext;
    this.signalling = signalling;
    this.stats = stats;
    this.clock = clock;
    this.forwarder =
        new Forwarder(
            store,
            settings.slowChildReportMs(),
            child ->
                signalling.accept(
                    new Message.Report(
                        child, ReportReason.SLOW_CHILD.wire(), "send queue above high water")));
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
    this.upstream = new Upstream(links, onContext, signalling, this, () -> ice, stats, clock);
  }

  SegmentStore store() {
    return store;
  }

  Forwarder forwarder() {
    return forwarder;
  }

  /** Origin only: sign and send segments with this signer. */
  void useSigner(SegmentSigner signer) {
    this.publicKey = signer.publicKeyBase64();
    this.publisher =
        new Publisher(settings.stream(), signer, store, this::fromPublisher, clock::millis);
    this.contentCipher = ContentCipher.generate();
  }

  /** The origin's public key, announced when it joins (null: no signer). */
  String publicKey() {
    return publicKey;
  }

  /** The origin's content key, offered when it joins (null: none). */
  String contentKey() {
    return contentCipher == null ? null : contentCipher.keyBase64();
  }

  /** Origin only: one more segment of the live stream (on the node's context). */
  void publish(MediaSegment segment) {
    publisher.publish(segment);
  }

  /** Booster: also carry LL-HLS parts, verified into {@code ledger}. */
  void carryParts(PartLedger ledger) {
    this.parts =
        new TreeParts(
            ledger,
            forwarder,
            new PartFetcher(vertx, settings.stream(), ledger, () -> fallbacks, settings.trust()));
  }

  /** Origin: put each part {@code ll} cuts into the tree as it is cut. */
  void carryParts(LlHlsOrigin ll) {
    this.parts = new TreeParts(ll.ledger(), forwarder, null);
    this.partsAtOrigin = true;
    ll.onFrames(frames -> onContext.execute(() -> parts.published(frames, clock.millis())));
  }

  long partsByFallback() {
    return parts == null ? 0 : parts.partsByFallback();
  }

  long partFramesRejected() {
    return parts == null ? 0 : parts.rejectedFromParent;
  }

  void drain() {
    draining = true;
  }

  @Override
  public String parentId() {
    return upstream.parentId();
  }

  @Override
  public int children() {
    return forwarder.children().size();
  }

  // --- frames: from the parent, from the publisher, from a fallback fetch
  // ---------------------------------

  /**
   * The origin's publisher and the gap filler hand over frames that are already stored and
   * verified.
   */
  private void fromPublisher(byte[] bytes, Frame frame) {
    forwarder.broadcast(bytes, frame, clock.millis());
  }

  private void fromFallback(byte[] bytes, Frame frame) {
    stats.bytesByFallback += bytes.length;
    long now = clock.millis();
    stored(frame, now);
    forwarder.broadcast(bytes, frame, now);
  }

  /**
   * A header or chunk the store took, from the parent or over HTTP: how late it came. Returns
   * whether it completed its segment.
   */
  private boolean stored(Frame frame, long at) {
    if (frame instanceof Frame.Header h) {
      stats.headerArrived(h.signed().header().producedAtMillis(), at);
    } else if (frame instanceof Frame.Chunk c && store.isComplete(c.sequence())) {
      store
          .header(c.sequence())
          .ifPresent(h -> stats.segmentCompleted(h.header().producedAtMillis(), at));
      return true;
    }
    return false;
  }

  @Override
  public void frame(PeerEdge edge, byte[] bytes) {
    if (!upstream.carries(edge)) {
      // Children send no media; nothing a child says reaches our store. A relay child asks for
      // parts.
      if (parts != null && TreeParts.isAsk(bytes)) {
        parts.childAsked(edge, TreeParts.asksSegments(bytes), clock.millis());
      }
      return;
    }
    long at = upstream.heard(bytes.length);
    if (PartFrame.isPartFrame(bytes)) {
      if (parts != null && !parts.fromParent(bytes, at)) {
        upstream.badData(edge, "an LL-HLS part frame failed verification");
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
        upstream.accepted(bytes.length);
        stored(frame, at);
        forwarder.broadcast(bytes, frame, at);
      } else if (r == HeaderResult.REJECTED) {
        upstream.badData(edge, "segment header " + h.signed().sequence() + " failed its signature");
      }
    } else if (frame instanceof Frame.Chunk c) {
      ChunkResult r = store.addChunk(c.sequence(), c.index(), c.payload());
      if (r == ChunkResult.STORED) {
        upstream.accepted(bytes.length);
        boolean completed = stored(frame, at);
        forwarder.broadcast(bytes, frame, at);
        if (completed) {
          // by the tree's last chunk: the ITs' proof that the tree carried it
          stats.segmentsComplete++;
        }
      } else if (r == ChunkResult.REJECTED) {
        upstream.badData(
            edge, "chunk " + c.index() + " of segment " + c.sequence() + " failed SHA-256");
        gapFiller.fetchNow(c.sequence(), c.index());
      }
    } else if (frame instanceof Frame.Window w) {
      forwarder.broadcast(bytes, frame, at);
    }
  }

  // --- peer links
  // -----------------------------------------------------------------------------------------

  @Override
  public void opened(PeerEdge edge) {
    if (upstream.opened(edge)) {
      if (parts != null && !partsAtOrigin) {
        // a classic page parent ignores it; a relay or an LL page sends parts
        edge.send(TreeParts.ASK);
      }
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
    if (!upstream.closed(edge, reason)) {
      forwarder.forget(edge);
    }
  }

  // --- signalling
  // -----------------------------------------------------------------------------------------

  @Override
  public void welcome(Message.Welcome w) {
    ice = w.iceServers() == null ? List.of() : w.iceServers();
    fallbacks = w.fallbacks() == null ? new ArrayList<>() : new ArrayList<>(w.fallbacks());
    fallbacks.remove(settings.httpUrl()); // never heal from ourselves
    boolean privateStream = w.stream() != null && w.stream().privateStream();
    if (!settings.isOrigin()) {
      upstream.placed(w.parent(), w.depth(), false);
    } else if (partsAtOrigin && privateStream) {
      // Parts would travel in the clear: refused until each is sealed as segments are.
      throw new IllegalStateException(
          "'"
              + settings.stream()
              + "' is private, and LL-HLS does not carry private streams yet"
              + " (parts are not encrypted): publish it without --ll-hls");
    } else if (publisher != null && privateStream) {
      // Before the first segment: the source is pumped only once start() completes, i.e. after this
      // welcome.
      publisher.encryptWith(contentCipher);
    }
  }

  @Override
  public void message(Message m) {
    if (m instanceof Message.Signal s) {
      onSignal(s);
    } else if (m instanceof Message.Reparent r) {
      if (r.parent() != null && !settings.isOrigin()) {
        upstream.placed(r.parent(), r.depth(), ReparentReason.ORIGIN_RECONNECTED.is(r.reason()));
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
      forwarder.add(PeerEdge.toChild(c.child(), links, ice, onContext, signalling, this));
    }
  }

  private void onSignal(Message.Signal s) {
    PeerEdge target = upstream.edgeTo(s.from());
    if (target == null) {
      target = forwarder.get(s.from());
    }
    if (target == null) {
      // An offer from a child we were not told of yet (notices and signals race across
      // coordinators).
      target = PeerEdge.toChild(s.from(), links, ice, onContext, signalling, this);
      forwarder.add(target);
    }
    target.signal(s.data());
  }

  // --- housekeeping
  // ---------------------------------------------------------------------------------------

  @Override
  public void tick(long now) {
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
      parts.tick(now, upstream.silent(now, settings.parentSilenceMs()));
    }
    if (gapFiller != null) {
      gapFiller.tick(
          upstream.parentId() == null
              ? Math.min(upstream.lastFrameAt(), now - settings.parentSilenceMs() - 1)
              : upstream.lastFrameAt());
      upstream.tick(now);
    }
  }

  @Override
  public void close() {
    forwarder.closeAll();
    upstream.close();
  }
}

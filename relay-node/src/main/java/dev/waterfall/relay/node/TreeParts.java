package dev.waterfall.relay.node;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.frame.FrameException;
import dev.waterfall.relay.http.PartFetcher;
import dev.waterfall.relay.llhls.PartFrame;
import dev.waterfall.relay.llhls.PartLedger;
import dev.waterfall.relay.llhls.PartLedger.Result;
import java.util.List;

/**
 * LL-HLS parts through this node (issue 14): what its parent sends is verified by the {@link
 * PartLedger} and, if stored, forwarded cut-through to the children that asked for parts; parts
 * late or missing come over HTTP per part ({@link PartFetcher}); the origin's parts enter here as
 * they are cut. A child asks with the CONTROL frame {@code {"type":"parts"}} when its link opens,
 * and gets the init and the recent parts at once. Lives on the node's context.
 */
final class TreeParts {
  static final String ASK_JSON = "{\"type\":\"parts\"}";
  static final byte[] ASK = FrameCodec.encode(new Frame.Control(ASK_JSON));

  /**
   * A part whose header came this long ago and is still incomplete (or a hole below one) is fetched
   * over HTTP: three part targets, so a part the parent skipped costs a player at PART-HOLD-BACK
   * nothing.
   */
  static final long PART_DEADLINE_MS = 1000;

  private final PartLedger ledger;
  private final Forwarder forwarder;
  private final PartFetcher fetcher;

  /** The init is asked over HTTP at most this often while the parent is silent without one. */
  static final long INIT_RETRY_MS = 5000;

  private long lastInitTry = Long.MIN_VALUE / 2;

  /**
   * Every fallback answered 404 for the init: the stream has no LL-HLS parts (the origin runs
   * without {@code --ll-hls}), so the init is not asked over HTTP again. Should it ever have parts,
   * the parent sends the init with them.
   */
  private boolean noParts;

  long acceptedFromParent;
  long byFallback;
  long rejectedFromParent;

  /** {@code fetcher} null at the origin, which has nowhere to heal from. */
  TreeParts(PartLedger ledger, Forwarder forwarder, PartFetcher fetcher) {
    this.ledger = ledger;
    this.forwarder = forwarder;
    this.fetcher = fetcher;
  }

  static boolean isAsk(byte[] bytes) {
    try {
      return FrameCodec.decode(bytes) instanceof Frame.Control c
          && "parts".equals(new io.vertx.core.json.JsonObject(c.json()).getString("type"));
    } catch (FrameException | io.vertx.core.json.DecodeException e) {
      return false;
    }
  }

  /**
   * Whether an ask for parts also wants the classic segments: all but {@code "segments":false} (an
   * LL page that needs none), so a Java relay's ask keeps both.
   */
  static boolean asksSegments(byte[] bytes) {
    try {
      return FrameCodec.decode(bytes) instanceof Frame.Control c
          && !Boolean.FALSE.equals(
              new io.vertx.core.json.JsonObject(c.json()).getValue("segments"));
    } catch (FrameException | io.vertx.core.json.DecodeException e) {
      return true;
    }
  }

  /** True once every fallback said the stream has no parts (no more asks for the init). */
  boolean noParts() {
    return noParts;
  }

  long partsByFallback() {
    return fetcher == null ? 0 : fetcher.partsFetched();
  }

  /**
   * A child asked for parts: from now on it gets them, starting with the ledger's backlog; and the
   * classic segments only if it still wants them (it may ask again to change that).
   */
  void childAsked(PeerEdge child, boolean segments, long now) {
    child.wantsSegments = segments;
    if (!child.wantsParts) {
      child.wantsParts = true;
      forwarder.sendAll(child, ledger.backlog(), now);
    }
  }

  /**
   * A part frame from the parent; false when it failed verification (the caller reports the parent
   * and the chunk is fetched again).
   */
  boolean fromParent(byte[] bytes, long now) {
    PartFrame frame;
    try {
      frame = PartFrame.decode(bytes);
    } catch (FrameException e) {
      return true; // malformed, counted by the caller's codec stats
    }
    Result r;
    if (frame instanceof PartFrame.Init i) {
      r = ledger.addInit(i.signed());
    } else if (frame instanceof PartFrame.Header h) {
      r = ledger.addHeader(h.signed(), now);
    } else {
      PartFrame.Chunk c = (PartFrame.Chunk) frame;
      r = ledger.addChunk(c.partId(), c.index(), c.payload());
      if (r == Result.REJECTED && fetcher != null) {
        fetcher.fetchPart(c.partId(), frames -> forward(frames, true));
      }
    }
    if (r == Result.STORED) {
      acceptedFromParent += bytes.length;
      forwarder.broadcastPart(bytes, now);
    } else if (r == Result.REJECTED) {
      rejectedFromParent++;
      return false;
    }
    return true;
  }

  /** The origin's own parts, already in the ledger: down the tree. */
  void published(List<byte[]> frames, long now) {
    for (byte[] f : frames) {
      forwarder.broadcastPart(f, now);
    }
  }

  /** Every tick: holes given up, parts late or missing fetched over HTTP. */
  void tick(long now, boolean parentSilent) {
    ledger.tick(now);
    if (fetcher == null) {
      return;
    }
    if (!ledger.hasInit()) {
      // Asked seldom (a fallback may be unreachable for a while), and no more once every fallback
      // said it has none.
      if (parentSilent && !noParts && now - lastInitTry >= INIT_RETRY_MS) {
        lastInitTry = now;
        fetcher.fetchInit(frames -> forward(frames, true), () -> noParts = true);
      }
      return;
    }
    for (long id : ledger.incomplete(now, PART_DEADLINE_MS)) {
      fetcher.fetchPart(id, frames -> forward(frames, true));
    }
    for (long id : ledger.holes(now, PART_DEADLINE_MS)) {
      fetcher.fetchPart(id, frames -> forward(frames, true));
    }
    if (parentSilent) {
      fetcher.fetchLatest(frames -> forward(frames, true));
    }
  }

  private void forward(List<byte[]> frames, boolean fetched) {
    long now = System.currentTimeMillis();
    for (byte[] f : frames) {
      if (fetched) {
        byFallback += f.length;
      }
      forwarder.broadcastPart(f, now);
    }
  }
}

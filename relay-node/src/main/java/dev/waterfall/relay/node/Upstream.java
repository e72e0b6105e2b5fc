package dev.waterfall.relay.node;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.ReportReason;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay's side toward its parent (the pages' p2p/upstream.js): the link it has and the one it is
 * making, re-parenting make-before-break (the old link closes only once the new one carries data),
 * and the reports about the parent: starving (no link for {@link #NO_LINK_REPORT_MS}, or an open
 * link supplying too little of the stream, {@link StarvationWatch}) and bad data (at most one per
 * {@link #BAD_DATA_REPORT_MS}). On the node's context.
 */
final class Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);

  /** A dead link to a parent the coordinator still lists is reported this long after it died. */
  static final long NO_LINK_REPORT_MS = 5000;

  /** At most one bad-data report per this long. */
  static final long BAD_DATA_REPORT_MS = 2000;

  private final EdgeLinks links;
  private final Executor onContext;
  private final Consumer<Message> signalling;
  private final PeerEdge.Events events;
  private final Supplier<List<Message.IceServer>> ice;
  private final NodeStats stats;
  private final Clock clock;

  private PeerEdge parent;
  private PeerEdge pending;

  /** The parent the coordinator last named, connected or not. */
  private String assigned;

  private long lastFrameAt;
  private long lostAt = -1;
  private long lastBadDataReport;

  /** Whether the parent's open link starves us; judged by bytes the store accepted from it. */
  private final StarvationWatch starvation = new StarvationWatch();

  private long accepted;

  /**
   * Depth in the last welcome or reparent: 1 means the parent is the root, which no report can move
   * us from.
   */
  private int depth = -1;

  Upstream(
      EdgeLinks links,
      Executor onContext,
      Consumer<Message> signalling,
      PeerEdge.Events events,
      Supplier<List<Message.IceServer>> ice,
      NodeStats stats,
      Clock clock) {
    this.links = links;
    this.onContext = onContext;
    this.signalling = signalling;
    this.events = events;
    this.ice = ice;
    this.stats = stats;
    this.clock = clock;
    this.lastFrameAt = clock.millis();
  }

  /** Whether {@code edge} is the parent's link or the one being made to the next parent. */
  boolean carries(PeerEdge edge) {
    return edge == parent || edge == pending;
  }

  /** The parent's or the next parent's edge to {@code peerId} (null: neither). */
  PeerEdge edgeTo(String peerId) {
    if (pending != null && pending.peerId.equals(peerId)) {
      return pending;
    }
    return parent != null && parent.peerId.equals(peerId) ? parent : null;
  }

  String parentId() {
    return parent == null ? null : parent.peerId;
  }

  /** A frame came from the parent side: returns when. */
  long heard(int bytes) {
    lastFrameAt = clock.millis();
    stats.bytesFromParent += bytes;
    return lastFrameAt;
  }

  /** Bytes of it the store accepted (new and verified): what judges the parent's share. */
  void accepted(int bytes) {
    accepted += bytes;
  }

  long lastFrameAt() {
    return lastFrameAt;
  }

  /** No parent link, or nothing from it for {@code silenceMs}. */
  boolean silent(long now, long silenceMs) {
    return parent == null || now - lastFrameAt > silenceMs;
  }

  /** The parent side sent something that failed verification: report it (rate-limited). */
  void badData(PeerEdge edge, String detail) {
    stats.verificationFailures++;
    long now = clock.millis();
    if (now - lastBadDataReport > BAD_DATA_REPORT_MS) {
      lastBadDataReport = now;
      LOG.warn("parent {} sent bad data ({}): reporting it", edge.peerId, detail);
      signalling.accept(new Message.Report(edge.peerId, ReportReason.BAD_DATA.wire(), detail));
    }
  }

  /**
   * A link opened: if it is the next parent's, it becomes the parent (the old link closes now) and
   * true is returned.
   */
  boolean opened(PeerEdge edge) {
    if (edge != pending) {
      return false;
    }
    if (parent != null) {
      parent.close(); // the new link carries data now: only then let the old one go
    }
    parent = pending;
    pending = null;
    lostAt = -1;
    starvation.linkOpened();
    stats.parentCandidatePair = null;
    LOG.info("connected to parent {}", edge.peerId);
    edge.candidatePair(
        onContext,
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
    return true;
  }

  /** A link closed by itself: true if it was the parent's or the next parent's. */
  boolean closed(PeerEdge edge, String reason) {
    if (edge == parent) {
      LOG.info("link to parent {} closed ({}); HTTP fallback covers the gap", edge.peerId, reason);
      parent = null;
      starvation.linkClosed();
      stats.parentCandidatePair = null;
      lostAt = clock.millis();
      return true;
    }
    if (edge == pending) {
      pending = null;
      lostAt = clock.millis();
      return true;
    }
    return false;
  }

  /** The coordinator placed us under {@code parentId} at {@code depth} (welcome or reparent). */
  void placed(String parentId, int depth, boolean originReconnected) {
    if (originReconnected && parent != null) {
      parent.close(); // same parent id, new process behind it: connect again
      parent = null;
    }
    this.depth = depth;
    connectTo(parentId);
  }

  private void connectTo(String parentId) {
    if (parentId == null || (parent != null && parent.peerId.equals(parentId) && !parent.closed)) {
      return;
    }
    assigned = parentId;
    lastFrameAt = clock.millis(); // give the new link its chance before HTTP steps in
    if (pending != null) {
      pending.close();
    }
    stats.parentChanges++;
    pending = PeerEdge.toParent(parentId, links, ice.get(), onContext, signalling, events);
  }

  /** The reports a tick may call for: a link dead too long, or a parent supplying too little. */
  void tick(long now) {
    // A dead link to a parent the coordinator still lists: ask to be moved rather than wait
    // forever.
    if (parent == null
        && pending == null
        && lostAt > 0
        && now - lostAt > NO_LINK_REPORT_MS
        && assigned != null) {
      lostAt = now;
      signalling.accept(
          new Message.Report(
              assigned, ReportReason.STARVING.wire(), "no link to the parent for 5 s"));
    }
    StarvationWatch.Verdict verdict =
        parent == null ? null : starvation.check(now, accepted, stats.bytesByFallback);
    // Under the root there is nowhere else to go: the report would only come back as
    // report-ignored.
    if (verdict != null && depth != 1) {
      LOG.info("parent {} starves this node ({}): reporting it", parent.peerId, verdict.detail());
      // The share itself tells the coordinator a withholder (~0 %) from a weak line (20–50 %).
      signalling.accept(
          new Message.Report(
              parent.peerId, ReportReason.STARVING.wire(), verdict.detail(), verdict.share()));
    }
  }

  void close() {
    if (parent != null) {
      parent.close();
    }
    if (pending != null) {
      pending.close();
    }
  }
}

package dev.waterfall.relay.node;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.store.SegmentStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Cut-through fan-out to the children: every verified frame goes to each open child at once. Flow
 * control is per child: a child whose send queue holds more than {@link #HIGH_WATER_SECONDS} of the
 * stream is skipped (it heals that gap over HTTP), so a slow child never slows its siblings; one
 * that stays slow is reported so the coordinator moves it. "Slow" is judged in seconds of stream,
 * not bytes: a frame queued behind 2 s of stream reaches the child after its own gap filler has
 * fetched it over HTTP (1.5 s), so queueing more only wastes this node's upload.
 */
final class Forwarder {
  /** Above this much stream queued for a child, it is skipped rather than queued further. */
  static final double HIGH_WATER_SECONDS = 2.0;

  /**
   * The high water never falls below this (a stream of tiny segments, or none yet). A segment
   * leaves the origin as one burst, and over a lossy home link SCTP drains it at a fraction of the
   * burst's rate: in the field lab (0.5 % loss, 10–40 ms) a 256 KiB floor had the origin skip most
   * frames to pages one hop away.
   */
  static final long MIN_HIGH_WATER = 1024 * 1024;

  /**
   * A child fed this long without a frame skipped shows the uplink sustains it (see {@link
   * #uplinkKbps}).
   */
  static final long PROVEN_MS = 10_000;

  /** Segments a child that just connected receives from the store, oldest first. */
  static final int BACKLOG_SEGMENTS = 3;

  private final Map<String, PeerEdge> children = new LinkedHashMap<>();
  private final SegmentStore store;
  private final long slowReportAfterMs;
  private final Consumer<String> reportSlow;
  volatile long framesSkipped;

  /**
   * Bytes sent to children no longer here: with the current ones', all this node ever sent down the
   * tree.
   */
  private long retiredBytes;

  /**
   * What this node's uplink has been seen to carry, for its operator (/metrics). Not sent to the
   * coordinator: a booster's slots are its operator's, and in the field lab every home-to-home edge
   * was loss-limited, so even two children's bursts measured edges, not the 20 Mbit/s uplink, and
   * cut the booster to 0 slots for good.
   */
  private final UplinkMeter uplink = new UplinkMeter();

  Forwarder(SegmentStore store, long slowReportAfterMs, Consumer<String> reportSlow) {
    this.store = store;
    this.slowReportAfterMs = slowReportAfterMs;
    this.reportSlow = reportSlow;
  }

  void add(PeerEdge child) {
    PeerEdge old = children.put(child.peerId, child);
    if (old != null && old != child) {
      retiredBytes += old.bytesOut;
      old.close();
    }
  }

  PeerEdge get(String id) {
    return children.get(id);
  }

  void remove(String id) {
    PeerEdge edge = children.remove(id);
    if (edge != null) {
      retiredBytes += edge.bytesOut;
      edge.close();
    }
  }

  /**
   * Drops the record of an edge that closed by itself (only if it is still the current one for that
   * peer).
   */
  void forget(PeerEdge edge) {
    if (children.remove(edge.peerId, edge)) {
      retiredBytes += edge.bytesOut;
    }
  }

  /**
   * Bytes sent to children over DataChannels since this node started (read by the metrics scrape
   * too).
   */
  long bytesSent() {
    long sum = retiredBytes;
    try {
      for (PeerEdge c : List.copyOf(children.values())) {
        sum += c.bytesOut;
      }
    } catch (java.util.ConcurrentModificationException e) {
      // a scrape racing a child joining or leaving: the next scrape has it
    }
    return sum;
  }

  Collection<PeerEdge> children() {
    return children.values();
  }

  /** Bytes a child may have queued: {@link #HIGH_WATER_SECONDS} at the newest segment's rate. */
  static long highWater(SegmentStore store) {
    return Math.max(MIN_HIGH_WATER, (long) (HIGH_WATER_SECONDS * streamBytesPerSecond(store)));
  }

  /** The stream's rate, from the newest segment held (0 before any). */
  static double streamBytesPerSecond(SegmentStore store) {
    List<Long> held = store.sequences();
    return held.isEmpty()
        ? 0
        : store
            .header(held.get(held.size() - 1))
            .map(h -> h.header().byteLength() * 1000.0 / h.header().durationMillis())
            .orElse(0.0);
  }

  /** Bytes queued for all open children together. */
  long queued() {
    long sum = 0;
    for (PeerEdge child : children.values()) {
      if (child.isOpen()) {
        sum += child.buffered();
      }
    }
    return sum;
  }

  /**
   * kbit/s this node's uplink was seen to carry lately: the meter's burst figure, but never less
   * than the stream rate times the children fed without a skipped frame for {@link #PROVEN_MS},
   * with the coordinator's 20 % headroom (the pages' rule, p2p/downstream.js): over a lossy link
   * one child's backlog drains at that edge's rate, far below the uplink. Null while neither says
   * anything.
   */
  Integer uplinkKbps(long now) {
    Integer burst = uplink.kbps(now);
    int kept = 0;
    for (PeerEdge child : children.values()) {
      if (child.isOpen()
          && child.openedAt >= 0
          && now - child.openedAt >= PROVEN_MS
          && now - child.lastSkippedAt >= PROVEN_MS) {
        kept++;
      }
    }
    int sustained = (int) Math.ceil(kept * streamBytesPerSecond(store) * 8 / 1000 / 0.8);
    // a lift under a burst, never alone (see downstream.js)
    return burst == null ? null : Math.max(burst, sustained);
  }

  /** A child's queue drained: the end of a busy period, if every other one is empty too. */
  void drained(long now) {
    uplink.check(now, queued());
  }

  /**
   * Sends {@code bytes} ({@code frame} encoded; null for a part frame) to {@code child}, counted by
   * the uplink meter; false if the channel refused it.
   */
  private boolean sendTo(PeerEdge child, byte[] bytes, Frame frame, long now, long queuedBefore) {
    if (!child.send(bytes, frame)) {
      return false;
    }
    uplink.sent(now, bytes.length, queuedBefore, child.peerId);
    return true;
  }

  /**
   * Sends one encoded frame to every open child that keeps up. {@code frame} is what {@code bytes}
   * encodes, which the caller has at hand: the edges' lanes choose by it.
   */
  void broadcast(byte[] bytes, Frame frame, long now) {
    broadcast(bytes, frame, now, false);
  }

  /**
   * Sends one LL-HLS part frame to every open child that asked for parts and keeps up (the same
   * per-child rule: a part skipped is healed by the child's own part fetcher).
   */
  void broadcastPart(byte[] bytes, long now) {
    broadcast(bytes, null, now, true);
  }

  /** Sends part {@code frames} to one child, oldest first (its part backlog). */
  void sendAll(PeerEdge child, List<byte[]> frames, long now) {
    long queued = queued();
    for (byte[] bytes : frames) {
      if (sendTo(child, bytes, null, now, queued)) {
        queued += bytes.length;
      }
    }
  }

  private void broadcast(byte[] bytes, Frame frame, long now, boolean part) {
    long highWater = highWater(store);
    long queued = queued();
    for (PeerEdge child : children.values()) {
      if (!child.isOpen() || part && !child.wantsParts || !part && !child.wantsSegments) {
        continue;
      }
      if (child.buffered() > highWater || !sendTo(child, bytes, frame, now, queued)) {
        framesSkipped++;
        child.lastSkippedAt = now;
        if (child.slowSince < 0) {
          child.slowSince = now;
        }
      } else {
        queued += bytes.length;
        if (child.buffered() < highWater / 2) {
          child.slowSince = -1;
        }
      }
    }
  }

  /**
   * A child's channel just opened: give it the recent segments so it can start playing and
   * forwarding.
   */
  void sendBacklog(PeerEdge child, long now) {
    child.openedAt = now;
    List<Frame> frames = new ArrayList<>();
    List<Long> held = store.sequences();
    for (Long seq : held.subList(Math.max(0, held.size() - BACKLOG_SEGMENTS), held.size())) {
      store.header(seq).ifPresent(h -> frames.add(new Frame.Header(h)));
      int count = store.status(seq).map(s -> s.chunkCount()).orElse(0);
      for (int i = 0; i < count; i++) {
        final int index = i;
        store.chunk(seq, i).ifPresent(bytes -> frames.add(new Frame.Chunk(seq, index, bytes)));
      }
    }
    long queued = queued();
    for (Frame frame : frames) {
      byte[] bytes = FrameCodec.encode(frame);
      if (sendTo(child, bytes, frame, now, queued)) {
        queued += bytes.length;
      }
    }
  }

  /**
   * Reports children that have been skipped for too long, at most once per interval each; samples a
   * long backlog.
   */
  void checkSlow(long now) {
    uplink.check(now, queued()); // a backlog that never drains is sampled here
    long highWater = highWater(store);
    for (PeerEdge child : children.values()) {
      // Caught up between segments (frames arrive in bursts, so a send may never see the queue
      // low): not slow.
      if (child.slowSince >= 0 && child.buffered() < highWater / 2) {
        child.slowSince = -1;
      }
      if (child.slowSince >= 0
          && now - child.slowSince > slowReportAfterMs
          && now - child.lastSlowReport > slowReportAfterMs) {
        child.lastSlowReport = now;
        reportSlow.accept(child.peerId);
      }
    }
  }

  void closeAll() {
    children
        .values()
        .forEach(
            c -> {
              retiredBytes += c.bytesOut;
              c.close();
            });
    children.clear();
  }
}

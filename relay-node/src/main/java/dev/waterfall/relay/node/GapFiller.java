package dev.waterfall.relay.node;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.http.FallbackFetcher;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.store.SegmentStatus;
import dev.waterfall.relay.store.SegmentStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Makes sure no segment is missing because of the tree: a chunk not here by its deadline, a segment
 * the parent skipped (a hole below one whose header came that long ago: playlists stop at a hole,
 * so players downstream would run dry waiting for it), or everything while the parent is silent or
 * behind ({@link #parentBehind}), is fetched over HTTP from the origin or a booster, verified by
 * the store and forwarded to the children, so a whole subtree heals from one fetch. Runs on the
 * node's context, ticked every {@link #TICK_MS}.
 */
final class GapFiller {
  static final long TICK_MS = StreamRelay.TICK_MS;
  private static final long PLAYLIST_POLL_MS = 1000;

  /**
   * A hole's segments just below a held one are fetched, at most this many (an origin restart jumps
   * thousands).
   */
  private static final int MAX_HOLE_SEGMENTS = 3;

  /** A hole's segment whose fetch failed is tried again after this long. */
  private static final long HOLE_RETRY_MS = 1000;

  /**
   * The next header this late, against the fastest path held headers came by: the parent is behind.
   */
  static final long BEHIND_MS = 1000;

  private final SegmentStore store;
  private final FallbackFetcher fetcher;
  private final long chunkDeadlineMs;
  private final long parentSilenceMs;
  private final BiConsumer<byte[], Frame> forward;
  private final LongSupplier clock;
  private final Set<Long> fetching = new HashSet<>();

  /** When each hole's segment was last asked for. */
  private final Map<Long, Long> holeTriedAt = new HashMap<>();

  private long lastPoll;

  GapFiller(
      SegmentStore store,
      FallbackFetcher fetcher,
      long chunkDeadlineMs,
      long parentSilenceMs,
      BiConsumer<byte[], Frame> forward,
      LongSupplier clock) {
    this.store = store;
    this.fetcher = fetcher;
    this.chunkDeadlineMs = chunkDeadlineMs;
    this.parentSilenceMs = parentSilenceMs;
    this.forward = forward;
    this.clock = clock;
  }

  /**
   * One pass: late chunks and holes below held segments; while the parent is silent, what it never
   * announced.
   */
  void tick(long lastParentFrameAt) {
    long now = clock.getAsLong();
    List<Long> held = store.sequences();
    for (int i = 0; i < held.size(); i++) {
      long seq = held.get(i);
      SegmentStatus s = store.status(seq).orElse(null);
      if (s == null || now - s.headerAtMillis() <= chunkDeadlineMs) {
        continue;
      }
      if (!s.complete() && !fetching.contains(seq)) {
        fetchChunks(seq, store.missingChunks(seq));
      }
      // Past the gap timeout the playlist has skipped the hole for good: nothing left to heal.
      boolean healable = i > 0 && now - s.headerAtMillis() < store.limits().gapTimeoutMillis();
      long from = healable ? Math.max(held.get(i - 1) + 1, seq - MAX_HOLE_SEGMENTS) : seq;
      for (long missing = from; missing < seq; missing++) {
        if (now - holeTriedAt.getOrDefault(missing, Long.MIN_VALUE / 2) >= HOLE_RETRY_MS) {
          holeTriedAt.put(missing, now);
          fetchSegment(missing);
        }
      }
    }
    holeTriedAt.keySet().removeIf(seq -> held.isEmpty() || seq < held.get(0));
    if (now - lastPoll > PLAYLIST_POLL_MS
        && (now - lastParentFrameAt > parentSilenceMs || parentBehind(store, now))) {
      lastPoll = now;
      fetcher.listAvailable().onSuccess(this::fetchUnknown);
    }
  }

  /**
   * Whether the header after the newest held one is overdue. It is produced one duration after the
   * newest, and headers have come as soon as {@code best} after being produced (arrival −
   * producedAt, the least among those held: the clocks' offset plus the fastest path), so it is due
   * by producedAt + duration + best. Judged in time, not by silence: a parent that is alive but
   * slow (its uplink below the stream, a lossy link) falls further behind with no gap in its
   * frames, and the children would stall long before it went quiet.
   */
  static boolean parentBehind(SegmentStore store, long now) {
    List<Long> held = store.sequences();
    long best = Long.MAX_VALUE;
    SegmentHeader newest = null;
    for (long seq : held) {
      SegmentHeader h = store.header(seq).map(SignedHeader::header).orElse(null);
      SegmentStatus s = store.status(seq).orElse(null);
      if (h != null && s != null) {
        best = Math.min(best, s.headerAtMillis() - h.producedAtMillis());
        newest = h;
      }
    }
    return newest != null
        && now > newest.producedAtMillis() + newest.durationMillis() + best + BEHIND_MS;
  }

  /**
   * A chunk the parent sent failed verification: get a good copy now rather than at the deadline.
   */
  void fetchNow(long seq, int index) {
    if (!fetching.contains(seq)) {
      fetchChunks(seq, List.of(index));
    }
  }

  private void fetchUnknown(List<Long> available) {
    List<Long> held = store.sequences();
    // A node holding nothing starts near the live edge; otherwise it fills every hole after what it
    // holds.
    long from =
        !held.isEmpty()
            ? held.get(0)
            : available.isEmpty()
                ? Long.MAX_VALUE
                : available.get(Math.max(0, available.size() - 3));
    for (Long seq : available) {
      if (seq >= from && !held.contains(seq)) {
        fetchSegment(seq);
      }
    }
  }

  /** Header, then chunks, of a segment the store does not hold; one fetch per segment at a time. */
  private void fetchSegment(long seq) {
    if (fetching.contains(seq)) {
      return;
    }
    fetching.add(seq);
    fetcher
        .fetchHeader(seq)
        .onComplete(
            ar -> {
              fetching.remove(seq);
              if (ar.succeeded() && Boolean.TRUE.equals(ar.result())) {
                store.header(seq).ifPresent(h -> forward(new Frame.Header(h)));
                fetchChunks(seq, store.missingChunks(seq));
              }
            });
  }

  private void fetchChunks(long seq, List<Integer> missing) {
    if (missing.isEmpty()) {
      return;
    }
    fetching.add(seq);
    fetcher
        .fetchChunks(seq, missing)
        .onComplete(
            ar -> {
              fetching.remove(seq);
              if (ar.succeeded()) {
                for (Integer i : ar.result()) {
                  store.chunk(seq, i).ifPresent(b -> forward(new Frame.Chunk(seq, i, b)));
                }
              }
            });
  }

  /** Hands on {@code frame} encoded, with the frame itself (the lanes choose by it). */
  private void forward(Frame frame) {
    forward.accept(FrameCodec.encode(frame), frame);
  }
}

package dev.waterfall.relay.store;

import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SegmentVerifier;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.segment.VerificationException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The last ~30 s of a stream at one node, and the one place where what arrives is verified: a
 * header is kept only if its signature checks out, a chunk only if it matches its header. So
 * whatever the store returns, and whatever a caller forwards after a {@code STORED} result, was
 * signed by the origin.
 *
 * <p>Bounds: segments are evicted oldest first while the held segments' durations add up to more
 * than the window, or their byte lengths to more than the cap (the newest is always kept).
 * Incomplete segments that the playlist has skipped past are evicted too: they can no longer be
 * played.
 *
 * <p>Playlist: {@link #playableSegments(int)} returns consecutive complete segments and never goes
 * backwards. A missing or incomplete segment holds the playlist back until it completes, or until a
 * later segment has been here for {@link StoreLimits#gapTimeoutMillis()}; then the playlist skips
 * past it for good. Feed headers oldest first: a header older than what the playlist has already
 * offered is {@link HeaderResult#TOO_OLD}.
 *
 * <p>Thread-safe: one lock guards the state; signatures and hashes are checked outside it.
 */
public final class SegmentStore {

  private final SegmentVerifier verifier;
  private final StoreLimits limits;
  private final Clock clock;
  private final Object lock = new Object();
  private final TreeMap<Long, StoredSegment> segments = new TreeMap<>();
  private long heldMillis;
  private long heldBytes;

  /** The lowest sequence a playlist may still show; -1 until known. Only grows. */
  private long playableFrom = -1;

  public SegmentStore(SegmentVerifier verifier, StoreLimits limits, Clock clock) {
    this.verifier = verifier;
    this.limits = limits;
    this.clock = clock;
  }

  public SegmentStore(SegmentVerifier verifier) {
    this(verifier, StoreLimits.defaults(), Clock.systemUTC());
  }

  public StoreLimits limits() {
    return limits;
  }

  public HeaderResult addHeader(SignedHeader signed) {
    try {
      verifier.verify(signed);
    } catch (VerificationException e) {
      return HeaderResult.REJECTED;
    }
    long sequence = signed.sequence();
    synchronized (lock) {
      StoredSegment existing = segments.get(sequence);
      if (existing != null) {
        return existing.signed.equals(signed) ? HeaderResult.DUPLICATE : HeaderResult.CONFLICT;
      }
      if (sequence < playableFrom) {
        return HeaderResult.TOO_OLD;
      }
      StoredSegment segment = new StoredSegment(signed, clock.millis());
      segments.put(sequence, segment);
      heldMillis += segment.header.durationMillis();
      heldBytes += segment.header.byteLength();
      evictOverLimits();
      return segments.get(sequence) == segment ? HeaderResult.STORED : HeaderResult.TOO_OLD;
    }
  }

  /**
   * Verifies and keeps chunk {@code index} of segment {@code sequence}; {@code bytes} is copied,
   * not kept.
   */
  public ChunkResult addChunk(long sequence, int index, byte[] bytes) {
    StoredSegment segment;
    synchronized (lock) {
      segment = segments.get(sequence);
      if (segment == null) {
        return ChunkResult.UNKNOWN_SEGMENT;
      }
      if (index < 0 || index >= segment.header.chunkCount()) {
        return ChunkResult.REJECTED;
      }
      if (segment.have.get(index)) {
        return ChunkResult.DUPLICATE;
      }
    }
    try {
      verifier.verifyChunk(segment.header, index, bytes);
    } catch (VerificationException e) {
      return ChunkResult.REJECTED;
    }
    synchronized (lock) {
      if (segments.get(sequence) != segment) {
        return ChunkResult.UNKNOWN_SEGMENT; // evicted while we hashed
      }
      if (segment.have.get(index)) {
        return ChunkResult.DUPLICATE; // another thread stored it while we hashed
      }
      segment.put(index, bytes, clock.millis());
      return ChunkResult.STORED;
    }
  }

  public boolean isComplete(long sequence) {
    synchronized (lock) {
      StoredSegment segment = segments.get(sequence);
      return segment != null && segment.complete();
    }
  }

  /**
   * Indices not yet held, ascending; empty when complete or when no header is held for {@code
   * sequence}.
   */
  public List<Integer> missingChunks(long sequence) {
    synchronized (lock) {
      StoredSegment segment = segments.get(sequence);
      List<Integer> missing = new ArrayList<>();
      if (segment != null) {
        for (int i = segment.have.nextClearBit(0);
            i < segment.header.chunkCount();
            i = segment.have.nextClearBit(i + 1)) {
          missing.add(i);
        }
      }
      return missing;
    }
  }

  public Optional<SignedHeader> header(long sequence) {
    synchronized (lock) {
      return Optional.ofNullable(segments.get(sequence)).map(s -> s.signed);
    }
  }

  /** A copy of the whole segment, once every chunk is in. */
  public Optional<byte[]> segmentBytes(long sequence) {
    synchronized (lock) {
      StoredSegment segment = segments.get(sequence);
      return segment != null && segment.complete()
          ? Optional.of(segment.data.clone())
          : Optional.empty();
    }
  }

  /** A copy of one chunk, if held (to send a new child the backlog, or serve a fallback fetch). */
  public Optional<byte[]> chunk(long sequence, int index) {
    synchronized (lock) {
      StoredSegment segment = segments.get(sequence);
      if (segment == null
          || index < 0
          || index >= segment.header.chunkCount()
          || !segment.have.get(index)) {
        return Optional.empty();
      }
      int offset = segment.header.chunkOffset(index);
      return Optional.of(
          Arrays.copyOfRange(segment.data, offset, offset + segment.header.chunkLength(index)));
    }
  }

  public Optional<SegmentStatus> status(long sequence) {
    synchronized (lock) {
      return Optional.ofNullable(segments.get(sequence)).map(StoredSegment::status);
    }
  }

  /** The held sequences, complete or not, ascending. */
  public List<Long> sequences() {
    synchronized (lock) {
      return List.copyOf(segments.keySet());
    }
  }

  /**
   * First and last complete sequence held (what a WINDOW frame announces); empty when none is
   * complete.
   */
  public Optional<SequenceRange> window() {
    synchronized (lock) {
      Long first = null;
      Long last = null;
      for (StoredSegment segment : segments.values()) {
        if (segment.complete()) {
          first = first == null ? segment.sequence() : first;
          last = segment.sequence();
        }
      }
      return first == null ? Optional.empty() : Optional.of(new SequenceRange(first, last));
    }
  }

  /** Drops every segment before {@code sequence}, e.g. what fell out of the parent's window. */
  public void dropBefore(long sequence) {
    synchronized (lock) {
      while (!segments.isEmpty() && segments.firstKey() < sequence) {
        evict(segments.firstEntry().getValue());
      }
      playableFrom = Math.max(playableFrom, sequence);
    }
  }

  public int size() {
    synchronized (lock) {
      return segments.size();
    }
  }

  /** Sum of the byte lengths of the segments held (memory is allocated when the header arrives). */
  public long heldBytes() {
    synchronized (lock) {
      return heldBytes;
    }
  }

  /**
   * The newest {@code maxCount} segments a playlist should list: consecutive sequences, all
   * complete, starting at or after every segment offered before (see the class comment for how gaps
   * are handled).
   */
  public List<SegmentHeader> playableSegments(int maxCount) {
    if (maxCount < 1) {
      throw new IllegalArgumentException("maxCount must be positive");
    }
    synchronized (lock) {
      List<StoredSegment> run = playableRun(clock.millis());
      List<SegmentHeader> headers = new ArrayList<>(Math.min(maxCount, run.size()));
      for (StoredSegment segment : run.subList(Math.max(0, run.size() - maxCount), run.size())) {
        headers.add(segment.header);
      }
      return headers;
    }
  }

  /**
   * The playable run from {@link #playableFrom}; moves it past gaps that timed out. Call under the
   * lock.
   */
  private List<StoredSegment> playableRun(long now) {
    List<StoredSegment> run = new ArrayList<>();
    long from = playableFrom;
    Long expected = playableFrom < 0 ? null : playableFrom;
    for (StoredSegment segment : segments.tailMap(Math.max(0, playableFrom), true).values()) {
      if (expected != null && segment.sequence() != expected) {
        // Sequences expected..sequence-1 never arrived: wait for them, unless this later one came
        // long ago.
        if (now - segment.headerAtMillis < limits.gapTimeoutMillis()) {
          break;
        }
        run.clear();
        from = segment.sequence();
      }
      expected = segment.sequence() + 1;
      if (segment.complete()) {
        run.add(segment);
        continue;
      }
      Map.Entry<Long, StoredSegment> later = segments.higherEntry(segment.sequence());
      if (later == null || now - later.getValue().headerAtMillis < limits.gapTimeoutMillis()) {
        break; // the live edge, or a gap still worth waiting for
      }
      run.clear(); // an incomplete segment given up on: the playlist restarts after it
      from = segment.sequence() + 1;
    }
    // What has been offered stays offered: nothing older may slip in front of it later.
    playableFrom = Math.max(from, run.isEmpty() ? from : run.get(0).sequence());
    evictIncompleteBefore(playableFrom);
    return run;
  }

  private void evictIncompleteBefore(long sequence) {
    List<StoredSegment> stale = new ArrayList<>();
    for (StoredSegment segment : segments.headMap(sequence, false).values()) {
      if (!segment.complete()) {
        stale.add(segment);
      }
    }
    stale.forEach(this::evict);
  }

  private void evictOverLimits() {
    while (segments.size() > 1
        && (heldMillis > limits.windowMillis() || heldBytes > limits.maxBytes())) {
      StoredSegment oldest = segments.firstEntry().getValue();
      evict(oldest);
      playableFrom = Math.max(playableFrom, oldest.sequence() + 1);
    }
  }

  private void evict(StoredSegment segment) {
    segments.remove(segment.sequence());
    heldMillis -= segment.header.durationMillis();
    heldBytes -= segment.header.byteLength();
  }
}

package dev.waterfall.relay.llhls;

import java.util.List;
import java.util.Optional;

/**
 * The LL-HLS stream at one moment, immutable: the init segment and the held segments, oldest first,
 * of which only the last may be incomplete; {@code nextPartId} is the part the preload hint names.
 */
public record LlSnapshot(byte[] init, List<LlSegment> segments, long nextPartId) {

  public static final LlSnapshot EMPTY = new LlSnapshot(null, List.of(), 0);

  public LlSnapshot {
    segments = List.copyOf(segments);
  }

  public boolean hasMedia() {
    return init != null && !segments.isEmpty();
  }

  public Optional<LlSegment> segment(long msn) {
    if (segments.isEmpty()) {
      return Optional.empty();
    }
    long index = msn - segments.get(0).msn();
    return index < 0 || index >= segments.size()
        ? Optional.empty()
        : Optional.of(segments.get((int) index));
  }

  public Optional<LlPart> part(long id) {
    for (LlSegment s : segments) {
      for (LlPart p : s.parts()) {
        if (p.id() == id) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** The oldest part id still held, or {@code nextPartId} when none is. */
  public long firstPartId() {
    return segments.isEmpty() || segments.get(0).parts().isEmpty()
        ? nextPartId
        : segments.get(0).parts().get(0).id();
  }

  /** The last segment held (complete or not); the caller checks {@link #hasMedia()}. */
  public LlSegment last() {
    return segments.get(segments.size() - 1);
  }

  /**
   * The newest complete segment's msn, or the open segment's minus one when none is complete yet.
   */
  public long lastCompleteMsn() {
    LlSegment last = last();
    return last.complete() ? last.msn() : last.msn() - 1;
  }

  /**
   * Whether a playlist of this moment satisfies a blocking reload for segment {@code msn} (and part
   * {@code part}, or the whole segment when null). A part index past a complete segment's last
   * counts as part 0 of the next (RFC 8216bis, 6.2.5.2). Anything older than what is held is
   * satisfied: the playlist has moved past it.
   */
  public boolean satisfies(long msn, Integer part) {
    if (!hasMedia()) {
      return false;
    }
    if (msn < segments.get(0).msn()) {
      return true;
    }
    Optional<LlSegment> segment = segment(msn);
    if (segment.isEmpty()) {
      return false;
    }
    LlSegment s = segment.get();
    if (part == null) {
      return s.complete();
    }
    if (part < s.parts().size()) {
      return true;
    }
    return s.complete() && segment(msn + 1).map(next -> !next.parts().isEmpty()).orElse(false);
  }
}

package dev.waterfall.relay.source;

import java.util.List;

/**
 * A parsed HLS media playlist, as much of it as a live relay needs.
 *
 * @param mediaSequence EXT-X-MEDIA-SEQUENCE: the first entry's sequence (0 when absent)
 * @param discontinuitySequence EXT-X-DISCONTINUITY-SEQUENCE: discontinuities before the first entry
 *     (0 when absent)
 * @param targetDurationSeconds EXT-X-TARGETDURATION, or -1 when absent
 * @param endList EXT-X-ENDLIST: the publisher says no more entries follow
 * @param entries the segments, in order
 */
public record MediaPlaylist(
    long mediaSequence,
    long discontinuitySequence,
    long targetDurationSeconds,
    boolean endList,
    List<Entry> entries) {

  public MediaPlaylist {
    entries = List.copyOf(entries);
  }

  /**
   * One segment line and the tags in front of it.
   *
   * @param sequence its media sequence (the playlist's plus its position)
   * @param uri as written in the playlist (usually relative)
   * @param durationMillis the EXTINF duration, rounded to milliseconds
   * @param discontinuity an EXT-X-DISCONTINUITY precedes it
   * @param discontinuitySequence discontinuities up to and including its own (the convention of
   *     {@link MediaSegment})
   */
  public record Entry(
      long sequence,
      String uri,
      int durationMillis,
      boolean discontinuity,
      long discontinuitySequence) {}
}

package dev.waterfall.relay.store;

import dev.waterfall.relay.segment.SegmentHeader;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The live HLS media playlist (version 3) rebuilt from signed headers, so viewers never poll the
 * origin for it. Segment URIs are relative ({@code seg-<sequence>.ts}), next to the playlist.
 */
public final class PlaylistBuilder {

  /** Enough for a player to start three segments from the live edge, as hls.js does by default. */
  public static final int DEFAULT_SEGMENTS = 6;

  private final int maxSegments;

  public PlaylistBuilder() {
    this(DEFAULT_SEGMENTS);
  }

  public PlaylistBuilder(int maxSegments) {
    if (maxSegments < 1) {
      throw new IllegalArgumentException("a playlist lists at least one segment");
    }
    this.maxSegments = maxSegments;
  }

  /** The playlist for what the store can play now; empty until one segment is complete. */
  public Optional<String> build(SegmentStore store) {
    List<SegmentHeader> segments = store.playableSegments(maxSegments);
    return segments.isEmpty() ? Optional.empty() : Optional.of(render(segments));
  }

  /** The playlist for the newest {@code maxSegments} of these consecutive segments. */
  public String render(List<SegmentHeader> segments) {
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("a playlist lists at least one segment");
    }
    List<SegmentHeader> listed =
        segments.subList(Math.max(0, segments.size() - maxSegments), segments.size());
    int maxDuration = 0;
    for (int i = 0; i < listed.size(); i++) {
      if (i > 0 && listed.get(i).sequence() != listed.get(i - 1).sequence() + 1) {
        // HLS numbers segments by position: a hole would silently renumber every segment after it.
        throw new IllegalArgumentException(
            "segments must be consecutive: "
                + listed.get(i - 1).sequence()
                + " then "
                + listed.get(i).sequence());
      }
      maxDuration = Math.max(maxDuration, listed.get(i).durationMillis());
    }
    SegmentHeader first = listed.get(0);
    // A segment's discontinuitySequence counts the tag in front of it; the playlist's counts the
    // ones before.
    long discontinuitySequence = first.discontinuitySequence() - (first.discontinuity() ? 1 : 0);
    StringBuilder out = new StringBuilder(64 + 48 * listed.size());
    out.append("#EXTM3U\n");
    out.append("#EXT-X-VERSION:3\n");
    out.append("#EXT-X-TARGETDURATION:").append((maxDuration + 999) / 1000).append('\n');
    out.append("#EXT-X-MEDIA-SEQUENCE:").append(first.sequence()).append('\n');
    out.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitySequence).append('\n');
    for (SegmentHeader segment : listed) {
      if (segment.discontinuity()) {
        out.append("#EXT-X-DISCONTINUITY\n");
      }
      int millis = segment.durationMillis();
      out.append(String.format(Locale.ROOT, "#EXTINF:%d.%03d,", millis / 1000, millis % 1000))
          .append('\n');
      out.append(segmentUri(segment.sequence())).append('\n');
    }
    return out.toString();
  }

  public static String segmentUri(long sequence) {
    return "seg-" + sequence + ".ts";
  }
}

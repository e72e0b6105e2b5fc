package dev.waterfall.relay.llhls;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders the LL-HLS media playlist (RFC 8216bis with its low-latency tags) of a {@link
 * LlSnapshot}:
 *
 * <pre>
 * #EXTM3U
 * #EXT-X-VERSION:6                       (EXT-X-MAP outside an I-frame playlist needs 6; nothing here needs more)
 * #EXT-X-TARGETDURATION:2
 * #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,HOLD-BACK=6.000
 * #EXT-X-PART-INF:PART-TARGET=0.334
 * #EXT-X-MEDIA-SEQUENCE:&lt;first msn&gt;
 * #EXT-X-MAP:URI="init.mp4"
 * #EXT-X-PROGRAM-DATE-TIME:…             (every segment: a player computes latency from it)
 * #EXT-X-PART:DURATION=0.33333,URI="part-&lt;id&gt;.m4s",INDEPENDENT=YES   (recent segments only)
 * #EXTINF:2.00000,
 * seg-&lt;msn&gt;.m4s                        (complete segments; the open one has only its parts)
 * #EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-&lt;next id&gt;.m4s"
 * </pre>
 *
 * Parts are listed for the segments ending within three target durations of the live edge (the spec
 * lets older ones go, and a player joining live starts a part hold-back from the end). Pure.
 */
public final class LlPlaylist {

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private LlPlaylist() {}

  public static String segmentUri(long msn) {
    return "seg-" + msn + ".m4s";
  }

  public static String partUri(long id) {
    return "part-" + id + ".m4s";
  }

  public static final String INIT_URI = "init.mp4";

  /** The playlist, or null before the snapshot holds an init segment and a part. */
  public static String render(LlSnapshot snapshot, LlSettings settings) {
    if (!snapshot.hasMedia()) {
      return null;
    }
    List<LlSegment> segments = snapshot.segments();
    int target = settings.targetDuration();
    for (LlSegment s : segments) {
      if (s.complete()) {
        target = Math.max(target, (int) Math.round(s.seconds()));
      }
    }
    StringBuilder out = new StringBuilder(4096);
    out.append("#EXTM3U\n#EXT-X-VERSION:6\n");
    out.append("#EXT-X-TARGETDURATION:").append(target).append('\n');
    out.append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=")
        .append(fixed(settings.partHoldBack(), 3))
        .append(",HOLD-BACK=")
        .append(fixed(Math.max(settings.holdBack(), 3.0 * target), 3))
        .append('\n');
    out.append("#EXT-X-PART-INF:PART-TARGET=").append(fixed(settings.partTarget(), 3)).append('\n');
    out.append("#EXT-X-MEDIA-SEQUENCE:").append(segments.get(0).msn()).append('\n');
    out.append("#EXT-X-MAP:URI=\"").append(INIT_URI).append("\"\n");
    int firstWithParts = firstWithParts(segments, 3.0 * target);
    for (int i = 0; i < segments.size(); i++) {
      LlSegment s = segments.get(i);
      out.append("#EXT-X-PROGRAM-DATE-TIME:")
          .append(DATE.format(Instant.ofEpochMilli(s.programDateMillis())))
          .append('\n');
      if (i >= firstWithParts) {
        for (LlPart p : s.parts()) {
          out.append("#EXT-X-PART:DURATION=")
              .append(fixed(p.seconds(), 5))
              .append(",URI=\"")
              .append(partUri(p.id()))
              .append('"');
          if (p.independent()) {
            out.append(",INDEPENDENT=YES");
          }
          out.append('\n');
        }
      }
      if (s.complete()) {
        out.append("#EXTINF:")
            .append(fixed(s.seconds(), 5))
            .append(",\n")
            .append(segmentUri(s.msn()))
            .append('\n');
      }
    }
    out.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"")
        .append(partUri(snapshot.nextPartId()))
        .append("\"\n");
    return out.toString();
  }

  /**
   * The oldest segment whose parts are still listed: those ending within {@code window} seconds of
   * the end.
   */
  static int firstWithParts(List<LlSegment> segments, double window) {
    double after = 0;
    int i = segments.size() - 1;
    while (i > 0 && after + segments.get(i).seconds() < window) {
      after += segments.get(i).seconds();
      i--;
    }
    return i;
  }

  private static String fixed(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}

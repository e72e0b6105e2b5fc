package dev.waterfall.relay.source;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a live HLS media playlist (RFC 8216): EXT-X-MEDIA-SEQUENCE, EXT-X-DISCONTINUITY-SEQUENCE,
 * EXT-X-TARGETDURATION, EXTINF, EXT-X-DISCONTINUITY, EXT-X-ENDLIST and the segment URIs. Other tags
 * and comments are skipped, as the RFC asks of clients. A master playlist, a missing {@code
 * #EXTM3U}, a URI without its EXTINF or a value that is not a number is a {@link
 * PlaylistFormatException}, never anything else.
 */
public final class PlaylistParser {

  /** Far more than a live window holds; stops a hostile playlist from building a huge list. */
  public static final int MAX_ENTRIES = 10_000;

  private static final long MAX_DURATION_MILLIS = 24L * 3600 * 1000;

  private PlaylistParser() {}

  public static MediaPlaylist parse(String text) {
    if (text == null) {
      throw new PlaylistFormatException("no playlist");
    }
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text; // a BOM some tools write
    String[] lines = body.split("\r\n|\n|\r", -1);
    if (lines.length == 0 || !lines[0].strip().equals("#EXTM3U")) {
      throw new PlaylistFormatException("not an HLS playlist: the first line must be #EXTM3U");
    }
    long mediaSequence = 0;
    long discontinuitySequence = 0;
    long targetDuration = -1;
    boolean endList = false;
    boolean sawEntry = false;
    List<Pending> pending = new ArrayList<>();
    Integer duration = null;
    boolean discontinuity = false;
    for (int n = 1; n < lines.length; n++) {
      String line = lines[n].strip();
      int lineNumber = n + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (!line.startsWith("#")) {
        if (duration == null) {
          throw new PlaylistFormatException(
              "line " + lineNumber + ": URI '" + line + "' without #EXTINF before it");
        }
        if (pending.size() >= MAX_ENTRIES) {
          throw new PlaylistFormatException("more than " + MAX_ENTRIES + " segments");
        }
        pending.add(new Pending(line, duration, discontinuity));
        sawEntry = true;
        duration = null;
        discontinuity = false;
      } else if (line.startsWith("#EXTINF:")) {
        String value = line.substring(8);
        int comma = value.indexOf(',');
        duration = millis(comma < 0 ? value : value.substring(0, comma), lineNumber);
      } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
        mediaSequence = integer(line.substring(22), lineNumber, sawEntry);
      } else if (line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:")) {
        discontinuitySequence = integer(line.substring(30), lineNumber, sawEntry);
      } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
        targetDuration = integer(line.substring(22), lineNumber, false);
      } else if (line.equals("#EXT-X-DISCONTINUITY")) {
        discontinuity = true;
      } else if (line.equals("#EXT-X-ENDLIST")) {
        endList = true;
      } else if (line.startsWith("#EXT-X-STREAM-INF")) {
        throw new PlaylistFormatException(
            "line " + lineNumber + ": a master playlist, not a media playlist");
      }
      // Any other tag or comment: not ours to understand.
    }
    if (duration != null) {
      throw new PlaylistFormatException("#EXTINF at the end without a URI");
    }
    List<MediaPlaylist.Entry> entries = new ArrayList<>(pending.size());
    long disc = discontinuitySequence;
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      disc += p.discontinuity ? 1 : 0;
      entries.add(
          new MediaPlaylist.Entry(
              mediaSequence + i, p.uri, p.durationMillis, p.discontinuity, disc));
    }
    return new MediaPlaylist(
        mediaSequence, discontinuitySequence, targetDuration, endList, entries);
  }

  private record Pending(String uri, int durationMillis, boolean discontinuity) {}

  private static long integer(String value, int lineNumber, boolean afterEntry) {
    if (afterEntry) {
      throw new PlaylistFormatException(
          "line " + lineNumber + ": sequence tags must come before the first segment");
    }
    String digits = value.strip();
    if (digits.isEmpty()
        || digits.length() > 18
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new PlaylistFormatException(
          "line " + lineNumber + ": not a decimal integer: '" + value + "'");
    }
    return Long.parseLong(digits);
  }

  private static int millis(String value, int lineNumber) {
    BigDecimal seconds;
    try {
      seconds = new BigDecimal(value.strip());
    } catch (NumberFormatException e) {
      throw new PlaylistFormatException(
          "line " + lineNumber + ": EXTINF duration is not a number: '" + value + "'");
    }
    if (seconds.signum() < 0
        || seconds.compareTo(BigDecimal.valueOf(MAX_DURATION_MILLIS / 1000)) > 0) {
      throw new PlaylistFormatException(
          "line " + lineNumber + ": EXTINF duration out of range: " + value);
    }
    return seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).intValueExact();
  }
}

package dev.waterfall.relay.cmaf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A CMAF header, {@code ftyp} + {@code moov}: what a player needs before any fragment (HLS's
 * EXT-X-MAP), and what reading fragments needs from it: each track's timescale (mdhd), kind (hdlr)
 * and fragment defaults (trex).
 */
public final class InitSegment {

  /**
   * One track: {@code handler} is "vide", "soun", …; the defaults apply where tfhd and trun say
   * nothing.
   */
  public record Track(
      int id, long timescale, String handler, long defaultDuration, long defaultFlags) {
    public boolean video() {
      return "vide".equals(handler);
    }
  }

  private final byte[] bytes;
  private final Map<Integer, Track> tracks;

  private InitSegment(byte[] bytes, Map<Integer, Track> tracks) {
    this.bytes = bytes;
    this.tracks = tracks;
  }

  /**
   * Parses {@code ftyp} + {@code moov} (other top-level boxes between them are kept as they are).
   */
  public static InitSegment parse(byte[] bytes) {
    Mp4Box moov = null;
    for (Mp4Box box : Mp4Box.children(bytes, 0, bytes.length)) {
      if (box.type().equals("moov")) {
        moov = box;
      }
    }
    if (moov == null) {
      throw new CmafFormatException("an init segment needs a 'moov' box");
    }
    Map<Integer, Long> durations = new LinkedHashMap<>();
    Map<Integer, Long> flags = new LinkedHashMap<>();
    moov.child(bytes, "mvex")
        .ifPresent(
            mvex -> {
              for (Mp4Box trex : mvex.children(bytes)) {
                if (trex.type().equals("trex")) {
                  trex.need(24, bytes);
                  int id = (int) Mp4Box.u32(bytes, trex.payload() + 4);
                  durations.put(id, Mp4Box.u32(bytes, trex.payload() + 12));
                  flags.put(id, Mp4Box.u32(bytes, trex.payload() + 20));
                }
              }
            });
    Map<Integer, Track> tracks = new LinkedHashMap<>();
    for (Mp4Box trak : moov.children(bytes)) {
      if (!trak.type().equals("trak")) {
        continue;
      }
      Mp4Box tkhd = trak.require(bytes, "tkhd");
      int idAt = tkhd.payload() + (tkhd.version(bytes) == 1 ? 20 : 12);
      tkhd.need(idAt + 4 - tkhd.payload(), bytes);
      int id = (int) Mp4Box.u32(bytes, idAt);
      Mp4Box mdia = trak.require(bytes, "mdia");
      Mp4Box mdhd = mdia.require(bytes, "mdhd");
      int scaleAt = mdhd.payload() + (mdhd.version(bytes) == 1 ? 20 : 12);
      mdhd.need(scaleAt + 4 - mdhd.payload(), bytes);
      long timescale = Mp4Box.u32(bytes, scaleAt);
      if (timescale == 0) {
        throw new CmafFormatException("track " + id + " has timescale 0");
      }
      Mp4Box hdlr = mdia.require(bytes, "hdlr");
      hdlr.need(12, bytes);
      String handler =
          new String(bytes, hdlr.payload() + 8, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      tracks.put(
          id,
          new Track(
              id, timescale, handler, durations.getOrDefault(id, 0L), flags.getOrDefault(id, 0L)));
    }
    if (tracks.isEmpty()) {
      throw new CmafFormatException("the init segment's 'moov' has no track");
    }
    return new InitSegment(bytes.clone(), Map.copyOf(tracks));
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }

  public Track track(int id) {
    Track t = tracks.get(id);
    if (t == null) {
      throw new CmafFormatException(
          "a fragment names track " + id + ", which the init segment does not have");
    }
    return t;
  }

  public Map<Integer, Track> tracks() {
    return tracks;
  }

  /**
   * The track whose clock times parts and segments: the video track (its keyframes decide where a
   * part may be independent), else the lowest-numbered one.
   */
  public Track reference() {
    return tracks.values().stream()
        .filter(Track::video)
        .findFirst()
        .orElseGet(
            () ->
                tracks.values().stream()
                    .min(java.util.Comparator.comparingInt(Track::id))
                    .orElseThrow());
  }
}

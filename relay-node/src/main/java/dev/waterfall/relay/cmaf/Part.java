package dev.waterfall.relay.cmaf;

/**
 * A part as the cutter hands it out: one or more whole fragments, their duration in seconds on the
 * reference track, whether it starts with a keyframe (HLS's INDEPENDENT=YES) and whether it opens a
 * new segment.
 */
public record Part(byte[] bytes, double seconds, boolean independent, boolean startsSegment) {

  @Override
  public boolean equals(Object o) {
    return o instanceof Part p
        && java.util.Arrays.equals(bytes, p.bytes)
        && seconds == p.seconds
        && independent == p.independent
        && startsSegment == p.startsSegment;
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Part["
        + bytes.length
        + " bytes, "
        + seconds
        + " s"
        + (independent ? ", independent" : "")
        + (startsSegment ? ", starts segment" : "")
        + "]";
  }
}

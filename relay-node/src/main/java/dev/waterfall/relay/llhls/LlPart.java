package dev.waterfall.relay.llhls;

/**
 * A part as served: {@code id} numbers parts across the whole stream (its URI, {@code
 * part-<id>.m4s}), so the preload hint can name the next part before anyone knows whether a
 * keyframe will make it a new segment's first; {@code index} is its place within segment {@code
 * msn} (what {@code _HLS_part} counts).
 */
public record LlPart(
    long id, long msn, int index, byte[] bytes, double seconds, boolean independent) {

  @Override
  public boolean equals(Object o) {
    return o instanceof LlPart p
        && id == p.id
        && msn == p.msn
        && index == p.index
        && java.util.Arrays.equals(bytes, p.bytes)
        && seconds == p.seconds
        && independent == p.independent;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public String toString() {
    return "LlPart["
        + id
        + " = "
        + msn
        + "."
        + index
        + ", "
        + bytes.length
        + " bytes, "
        + seconds
        + " s"
        + (independent ? ", independent" : "")
        + "]";
  }
}

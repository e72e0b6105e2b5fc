package dev.waterfall.relay.llhls;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * One segment of the LL-HLS playlist: its media sequence number, the wall-clock time its media
 * starts (EXT-X-PROGRAM-DATE-TIME), its parts so far, and whether it is complete (the next segment
 * has begun).
 */
public record LlSegment(long msn, long programDateMillis, List<LlPart> parts, boolean complete) {

  public LlSegment {
    parts = List.copyOf(parts);
  }

  public double seconds() {
    return parts.stream().mapToDouble(LlPart::seconds).sum();
  }

  /**
   * The whole segment: its parts end to end (a part is whole fragments, so this is a valid CMAF
   * segment).
   */
  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(p -> out.writeBytes(p.bytes()));
    return out.toByteArray();
  }

  LlSegment with(LlPart part) {
    List<LlPart> more = new java.util.ArrayList<>(parts);
    more.add(part);
    return new LlSegment(msn, programDateMillis, more, false);
  }

  LlSegment completed() {
    return new LlSegment(msn, programDateMillis, parts, true);
  }
}

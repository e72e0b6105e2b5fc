package dev.waterfall.relay.llhls;

/**
 * The delivery directives of a playlist request ({@code _HLS_msn}, {@code _HLS_part}), checked:
 * {@code part} without {@code msn} is refused, as is anything not plain digits. Null msn: an
 * ordinary, non-blocking reload.
 */
public record BlockingReload(Long msn, Integer part) {

  public static final BlockingReload NONE = new BlockingReload(null, null);

  /**
   * Parses the two query values (null when absent); throws IllegalArgumentException saying what is
   * wrong.
   */
  public static BlockingReload parse(String msn, String part) {
    if (msn == null) {
      if (part != null) {
        throw new IllegalArgumentException("_HLS_part needs _HLS_msn");
      }
      return NONE;
    }
    long m = digits(msn, 16, "_HLS_msn");
    Integer p = part == null ? null : (int) digits(part, 6, "_HLS_part");
    return new BlockingReload(m, p);
  }

  public boolean blocks() {
    return msn != null;
  }

  /**
   * True when this asks for more than two segments past the last complete one, or more parts past
   * the last part than the Advance Part Limit: RFC 8216bis says answer such a request at once with
   * 400, not hold it.
   */
  public boolean tooFarAhead(LlSnapshot s, LlSettings settings) {
    if (!blocks() || !s.hasMedia()) {
      return false;
    }
    if (msn > s.lastCompleteMsn() + 2) {
      return true;
    }
    if (part == null) {
      return false;
    }
    LlSegment open = s.last();
    int limit = settings.advancePartLimit();
    if (msn == open.msn()) {
      return part - (open.parts().size() - 1) > limit;
    }
    return msn > open.msn() && part >= limit;
  }

  private static long digits(String value, int max, String name) {
    if (value.isEmpty()
        || value.length() > max
        || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("malformed " + name + ": '" + value + "' (want a number)");
    }
    return Long.parseLong(value);
  }
}

package dev.waterfall.relay.http;

import java.util.Optional;

/**
 * One satisfiable byte range of a representation, {@code first..last} inclusive, parsed from a
 * {@code Range} header (RFC 9110 section 14): {@code bytes=a-b}, {@code bytes=a-} or {@code
 * bytes=-n}.
 */
record ByteRange(long first, long last) {

  /** What the server does with a request's {@code Range} header. */
  enum Kind {
    NONE,
    PARTIAL,
    UNSATISFIABLE
  }

  /**
   * The outcome of parsing: NONE (send it all), PARTIAL with {@link #range}, or UNSATISFIABLE
   * (416).
   */
  record Parsed(Kind kind, ByteRange range) {
    static final Parsed NONE = new Parsed(Kind.NONE, null);
    static final Parsed UNSATISFIABLE = new Parsed(Kind.UNSATISFIABLE, null);
  }

  long length() {
    return last - first + 1;
  }

  String contentRange(long total) {
    return "bytes " + first + "-" + last + "/" + total;
  }

  /**
   * Resolves {@code header} against a representation of {@code total} bytes. A missing, malformed
   * or multi-range header is ignored (RFC 9110 lets a server send the whole representation with 200
   * instead); a well-formed range that lies wholly past the end is unsatisfiable.
   */
  static Parsed parse(String header, long total) {
    if (header == null) {
      return Parsed.NONE;
    }
    String value = header.strip();
    if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
      return Parsed.NONE;
    }
    String spec = value.substring(6).strip();
    if (spec.contains(",")) {
      return Parsed.NONE; // multipart/byteranges is not worth it for segment healing
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return Parsed.NONE;
    }
    Optional<Long> from = digits(spec.substring(0, dash).strip());
    Optional<Long> to = digits(spec.substring(dash + 1).strip());
    boolean fromEmpty = spec.substring(0, dash).isBlank();
    boolean toEmpty = spec.substring(dash + 1).isBlank();
    if (fromEmpty) {
      if (to.isEmpty()) {
        return Parsed.NONE;
      }
      long suffix = to.get();
      if (suffix == 0 || total == 0) {
        return Parsed.UNSATISFIABLE;
      }
      return partial(Math.max(0, total - suffix), total - 1);
    }
    if (from.isEmpty() || (!toEmpty && to.isEmpty())) {
      return Parsed.NONE;
    }
    long first = from.get();
    if (!toEmpty && to.get() < first) {
      return Parsed.NONE; // "invalid" per RFC 9110: ignore the header
    }
    if (first >= total) {
      return Parsed.UNSATISFIABLE;
    }
    long last = toEmpty ? total - 1 : Math.min(to.get(), total - 1);
    return partial(first, last);
  }

  private static Parsed partial(long first, long last) {
    return new Parsed(Kind.PARTIAL, new ByteRange(first, last));
  }

  /**
   * Plain decimal digits only (no sign, no spaces inside); values past 18 digits are clamped, not
   * wrapped.
   */
  private static Optional<Long> digits(String s) {
    if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    String trimmed = s.replaceFirst("^0+(?=.)", "");
    return Optional.of(trimmed.length() > 18 ? Long.MAX_VALUE : Long.parseLong(trimmed));
  }
}

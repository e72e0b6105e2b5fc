package dev.waterfall.relay.store;

/**
 * How much a {@link SegmentStore} keeps.
 *
 * @param windowMillis media kept, by the segments' durations (the newest segment is always kept)
 * @param maxBytes hard cap on the byte lengths of the segments held, complete or not
 * @param gapTimeoutMillis how long a missing or incomplete segment may hold the playlist back once
 *     a later segment has arrived; after that the playlist skips past it
 */
public record StoreLimits(long windowMillis, long maxBytes, long gapTimeoutMillis) {

  public static final long DEFAULT_WINDOW_MILLIS = 30_000;

  /** 30 s of a 6 Mbps stream is ~23 MB; the cap only bites on a misbehaving source. */
  public static final long DEFAULT_MAX_BYTES = 128L << 20;

  /** About three 2 s segments: what a player's buffer rides out while the fallback fetch runs. */
  public static final long DEFAULT_GAP_TIMEOUT_MILLIS = 6_000;

  public StoreLimits {
    if (windowMillis < 1 || maxBytes < 1 || gapTimeoutMillis < 0) {
      throw new IllegalArgumentException(
          "store limits must be positive: "
              + windowMillis
              + " ms, "
              + maxBytes
              + " bytes, gap timeout "
              + gapTimeoutMillis
              + " ms");
    }
  }

  public static StoreLimits defaults() {
    return new StoreLimits(DEFAULT_WINDOW_MILLIS, DEFAULT_MAX_BYTES, DEFAULT_GAP_TIMEOUT_MILLIS);
  }

  public StoreLimits withWindowMillis(long millis) {
    return new StoreLimits(millis, maxBytes, gapTimeoutMillis);
  }
}

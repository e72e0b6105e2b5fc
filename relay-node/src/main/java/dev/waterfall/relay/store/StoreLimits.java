package dev.waterfall.relay.store;

import dev.waterfall.protocol.config.Settings;

/**
 * How much a {@link SegmentStore} keeps.
 *
 * @param windowMillis media kept, by the segments' durations (the newest segment is always kept)
 * @param maxBytes hard cap on the byte lengths of the segments held, complete or not
 * @param gapTimeoutMillis how long a missing or incomplete segment may hold the playlist back once
 *     a later segment has arrived; after that the playlist skips past it
 */
public record StoreLimits(long windowMillis, long maxBytes, long gapTimeoutMillis) {

  private static final StoreLimits DEFAULTS = from(Settings.defaultsOnly());

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

  /** The {@code relay.store.*} keys of waterfall-defaults.properties. */
  public static StoreLimits defaults() {
    return DEFAULTS;
  }

  /** From {@code relay.store.windowMs}, {@code maxBytes} and {@code gapTimeoutMs}. */
  public static StoreLimits from(Settings s) {
    return new StoreLimits(
        s.integer("relay.store.windowMs", 1, Integer.MAX_VALUE),
        s.longValue("relay.store.maxBytes", 1, Long.MAX_VALUE),
        s.integer("relay.store.gapTimeoutMs", 0, Integer.MAX_VALUE));
  }

  public StoreLimits withWindowMillis(long millis) {
    return new StoreLimits(millis, maxBytes, gapTimeoutMillis);
  }
}

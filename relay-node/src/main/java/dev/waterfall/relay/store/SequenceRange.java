package dev.waterfall.relay.store;

/** Media sequences {@code first..last}, both included. */
public record SequenceRange(long first, long last) {

  public SequenceRange {
    if (first > last) {
      throw new IllegalArgumentException("empty range " + first + ".." + last);
    }
  }
}

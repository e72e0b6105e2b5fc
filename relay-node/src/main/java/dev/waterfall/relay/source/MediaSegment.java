package dev.waterfall.relay.source;

import java.util.Arrays;

/**
 * One segment as a source hands it to the origin, before chunking and signing.
 *
 * @param sequence HLS media sequence number
 * @param bytes the whole segment (MPEG-TS for the sample)
 * @param durationMillis how long it plays
 * @param discontinuity an EXT-X-DISCONTINUITY precedes it (timestamps or encoding restart here)
 * @param discontinuitySequence its discontinuity number: the count of discontinuities up to and
 *     including its own
 */
public record MediaSegment(
    long sequence,
    byte[] bytes,
    int durationMillis,
    boolean discontinuity,
    long discontinuitySequence) {

  public MediaSegment {
    if (sequence < 0
        || discontinuitySequence < 0
        || durationMillis < 1
        || bytes == null
        || bytes.length == 0) {
      throw new IllegalArgumentException(
          "invalid segment "
              + sequence
              + ": "
              + durationMillis
              + " ms, "
              + (bytes == null ? "no" : bytes.length)
              + " bytes");
    }
    if (discontinuity && discontinuitySequence < 1) {
      throw new IllegalArgumentException(
          "a discontinuity segment needs discontinuitySequence >= 1");
    }
  }

  /**
   * The array itself, not a copy: segments are large and sources hand each one over once. Do not
   * modify it.
   */
  @Override
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MediaSegment m
        && sequence == m.sequence
        && durationMillis == m.durationMillis
        && discontinuity == m.discontinuity
        && discontinuitySequence == m.discontinuitySequence
        && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    int result = Long.hashCode(sequence);
    result = 31 * result + durationMillis;
    result = 31 * result + Boolean.hashCode(discontinuity);
    result = 31 * result + Long.hashCode(discontinuitySequence);
    return 31 * result + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "MediaSegment[sequence="
        + sequence
        + ", bytes="
        + bytes.length
        + ", durationMillis="
        + durationMillis
        + ", discontinuity="
        + discontinuity
        + ", discontinuitySequence="
        + discontinuitySequence
        + "]";
  }
}

package dev.waterfall.loadtest.kit.relays;

import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.source.SegmentSource;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A live stream of a given bitrate with no media in it: each segment is {@code bitrate × duration}
 * random bytes. The data plane hashes, signs, chunks and forwards bytes without looking at them, so
 * this costs every relay exactly what a real stream of that bitrate does. Paced by the origin's
 * pump, like the sample.
 */
public final class SyntheticSource implements SegmentSource {
  private final int bytesPerSegment;
  private final int durationMillis;
  private final SplittableRandom random;
  private long sequence;

  public SyntheticSource(int bitrateKbps, int durationMillis, long firstSequence, long seed) {
    this.bytesPerSegment = segmentBytes(bitrateKbps, durationMillis);
    this.durationMillis = durationMillis;
    this.sequence = firstSequence;
    this.random = new SplittableRandom(seed);
  }

  /** Bytes of one segment: kbps × 1000 / 8 × seconds. */
  public static int segmentBytes(int bitrateKbps, int durationMillis) {
    if (bitrateKbps < 1 || durationMillis < 1) {
      throw new IllegalArgumentException("bitrate and duration must be positive");
    }
    return (int) ((long) bitrateKbps * durationMillis / 8);
  }

  public int bytesPerSegment() {
    return bytesPerSegment;
  }

  @Override
  public Optional<MediaSegment> next() {
    byte[] bytes = new byte[bytesPerSegment];
    for (int i = 0; i < bytes.length; i += 8) {
      long v = random.nextLong();
      for (int b = 0; b < 8 && i + b < bytes.length; b++) {
        bytes[i + b] = (byte) (v >>> (8 * b));
      }
    }
    return Optional.of(new MediaSegment(sequence++, bytes, durationMillis, false, 0));
  }

  @Override
  public boolean pacedByCaller() {
    return true;
  }
}

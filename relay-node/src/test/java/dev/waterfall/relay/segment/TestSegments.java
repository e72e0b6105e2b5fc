package dev.waterfall.relay.segment;

import java.util.Random;

/** Deterministic segments and headers for tests in every data-plane package. */
public final class TestSegments {

  public static final String STREAM = "demo";

  /** One signer for the whole test run: key generation is the slow part. */
  public static final SegmentSigner SIGNER = SegmentSigner.generate();

  private TestSegments() {}

  public static byte[] bytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** A segment of {@code length} random bytes in chunks of {@code chunkSize}. */
  public static SegmentHeader header(long sequence, byte[] segment, int chunkSize) {
    return new Chunker(chunkSize)
        .describe(STREAM, sequence, 2000, 1_700_000_000_000L + sequence, false, 0, segment);
  }

  public static SignedHeader signed(long sequence, byte[] segment, int chunkSize) {
    return SIGNER.sign(header(sequence, segment, chunkSize));
  }
}

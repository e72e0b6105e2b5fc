package dev.waterfall.relay.segment;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a segment into chunks of at most {@code chunkSize} bytes and describes it with their SHA-256
 * hashes.
 */
public final class Chunker {

  private final int chunkSize;

  public Chunker(int chunkSize) {
    if (chunkSize < 1 || chunkSize > SegmentHeader.MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException("chunkSize must be 1.." + SegmentHeader.MAX_CHUNK_SIZE);
    }
    this.chunkSize = chunkSize;
  }

  /**
   * 64 KiB chunks: one chunk per DataChannel message, the size measured fastest on this machine.
   */
  public static Chunker standard() {
    return new Chunker(SegmentHeader.DEFAULT_CHUNK_SIZE);
  }

  public int chunkSize() {
    return chunkSize;
  }

  /**
   * Copies of the chunks, in order; every one is {@code chunkSize} bytes except possibly the last.
   */
  public List<byte[]> split(byte[] segment) {
    int count = SegmentHeader.chunkCount(segment.length, chunkSize);
    List<byte[]> chunks = new ArrayList<>(count);
    for (int offset = 0; offset < segment.length; offset += chunkSize) {
      chunks.add(Arrays.copyOfRange(segment, offset, Math.min(segment.length, offset + chunkSize)));
    }
    return chunks;
  }

  /**
   * The header the origin signs for {@code segment}; throws {@link SegmentFormatException} past the
   * limits.
   */
  public SegmentHeader describe(
      String stream,
      long sequence,
      int durationMillis,
      long producedAtMillis,
      boolean discontinuity,
      long discontinuitySequence,
      byte[] segment) {
    List<byte[]> hashes = new ArrayList<>();
    for (int offset = 0; offset < segment.length; offset += chunkSize) {
      hashes.add(sha256(segment, offset, Math.min(chunkSize, segment.length - offset)));
    }
    return new SegmentHeader(
        stream,
        sequence,
        durationMillis,
        segment.length,
        chunkSize,
        hashes,
        producedAtMillis,
        discontinuity,
        discontinuitySequence);
  }

  public static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest digest = newSha256();
    digest.update(data, offset, length);
    return digest.digest();
  }

  private static MessageDigest newSha256() {
    try {
      // A new digest per call: MessageDigest is not thread-safe and creating one costs less than
      // hashing 64 KiB.
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

package dev.waterfall.relay.segment;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What the origin signs for one HLS segment: which stream and media sequence it is, how long it
 * plays, how many bytes it has and the SHA-256 of every chunk, so each chunk can be checked the
 * moment it arrives.
 *
 * <p>Every instance is valid: the constructor enforces the same rules as {@link #decode(byte[])},
 * so a header that exists can always be encoded, and {@code decode(h.encode()).equals(h)}. Whole
 * numbers that browsers read as JavaScript numbers (sequence, discontinuity sequence, production
 * time) stay at or below 2^53 - 1. The byte layout is in docs/protocol.md (Data-plane formats).
 */
public record SegmentHeader(
    String stream,
    long sequence,
    int durationMillis,
    int byteLength,
    int chunkSize,
    List<byte[]> chunkHashes,
    long producedAtMillis,
    boolean discontinuity,
    long discontinuitySequence) {

  public static final int FORMAT_VERSION = 1;
  public static final int DEFAULT_CHUNK_SIZE = 65536;
  public static final int MAX_CHUNK_SIZE = 65536;
  public static final int MAX_STREAM_BYTES = 64;
  public static final int MAX_BYTE_LENGTH = 64 << 20;

  /** Keeps a signed header inside one 64 KiB DataChannel message (1024 × 32 bytes of hashes). */
  public static final int MAX_CHUNK_COUNT = 1024;

  public static final int MAX_DURATION_MILLIS = 60_000;
  public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  public static final int HASH_BYTES = 32;

  private static final int FLAG_DISCONTINUITY = 1;
  // version, stream length, sequence, duration, byte length, chunk size, produced at, flags, disc.
  // seq., count
  private static final int FIXED_BYTES = 1 + 2 + 8 + 4 + 4 + 4 + 8 + 1 + 8 + 2;
  public static final int MAX_ENCODED_BYTES =
      FIXED_BYTES + MAX_STREAM_BYTES + MAX_CHUNK_COUNT * HASH_BYTES;

  public SegmentHeader {
    byte[] streamBytes = utf8(stream);
    if (streamBytes.length == 0 || streamBytes.length > MAX_STREAM_BYTES) {
      throw new SegmentFormatException(
          "stream must be 1.." + MAX_STREAM_BYTES + " UTF-8 bytes, got " + streamBytes.length);
    }
    checkSafe("sequence", sequence);
    checkSafe("producedAtMillis", producedAtMillis);
    checkSafe("discontinuitySequence", discontinuitySequence);
    if (durationMillis < 1 || durationMillis > MAX_DURATION_MILLIS) {
      throw new SegmentFormatException(
          "durationMillis must be 1.." + MAX_DURATION_MILLIS + ", got " + durationMillis);
    }
    if (byteLength < 1 || byteLength > MAX_BYTE_LENGTH) {
      throw new SegmentFormatException(
          "byteLength must be 1.." + MAX_BYTE_LENGTH + ", got " + byteLength);
    }
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
      throw new SegmentFormatException(
          "chunkSize must be 1.." + MAX_CHUNK_SIZE + ", got " + chunkSize);
    }
    if (discontinuity && discontinuitySequence < 1) {
      // The segment's own number counts the tag in front of it, so a flagged segment is at least
      // number 1.
      throw new SegmentFormatException("a discontinuity segment needs discontinuitySequence >= 1");
    }
    int expected = chunkCount(byteLength, chunkSize);
    if (expected > MAX_CHUNK_COUNT) {
      throw new SegmentFormatException(
          "a segment of "
              + byteLength
              + " bytes in chunks of "
              + chunkSize
              + " needs "
              + expected
              + " chunks, more than "
              + MAX_CHUNK_COUNT);
    }
    if (chunkHashes == null || chunkHashes.size() != expected) {
      throw new SegmentFormatException(
          "expected "
              + expected
              + " chunk hashes for "
              + byteLength
              + " bytes in chunks of "
              + chunkSize
              + ", got "
              + (chunkHashes == null ? "none" : chunkHashes.size()));
    }
    List<byte[]> copies = new ArrayList<>(expected);
    for (byte[] hash : chunkHashes) {
      if (hash == null || hash.length != HASH_BYTES) {
        throw new SegmentFormatException("every chunk hash must be " + HASH_BYTES + " bytes");
      }
      copies.add(hash.clone());
    }
    chunkHashes = List.copyOf(copies);
  }

  /** ceil(byteLength / chunkSize): the only chunk count a header may carry. */
  public static int chunkCount(int byteLength, int chunkSize) {
    return (int) ((byteLength + (long) chunkSize - 1) / chunkSize);
  }

  public int chunkCount() {
    return chunkHashes.size();
  }

  public int chunkOffset(int index) {
    checkIndex(index);
    return index * chunkSize;
  }

  /** chunkSize, except the last chunk, which holds what is left. */
  public int chunkLength(int index) {
    checkIndex(index);
    return Math.min(chunkSize, byteLength - index * chunkSize);
  }

  /** A copy of the SHA-256 of chunk {@code index}. */
  public byte[] chunkHash(int index) {
    checkIndex(index);
    return chunkHashes.get(index).clone();
  }

  /** Copies: a record must not hand out its arrays. */
  @Override
  public List<byte[]> chunkHashes() {
    return chunkHashes.stream().map(byte[]::clone).toList();
  }

  /** The internal array, for comparisons inside this package only. */
  byte[] hashAt(int index) {
    return chunkHashes.get(index);
  }

  /** The canonical bytes: what the origin signs and what travels in a HEADER frame. */
  public byte[] encode() {
    byte[] streamBytes = utf8(stream);
    ByteBuffer out =
        ByteBuffer.allocate(FIXED_BYTES + streamBytes.length + chunkHashes.size() * HASH_BYTES);
    out.put((byte) FORMAT_VERSION);
    out.putShort((short) streamBytes.length);
    out.put(streamBytes);
    out.putLong(sequence);
    out.putInt(durationMillis);
    out.putInt(byteLength);
    out.putInt(chunkSize);
    out.putLong(producedAtMillis);
    out.put((byte) (discontinuity ? FLAG_DISCONTINUITY : 0));
    out.putLong(discontinuitySequence);
    out.putShort((short) chunkHashes.size());
    for (byte[] hash : chunkHashes) {
      out.put(hash);
    }
    return out.array();
  }

  /**
   * Parses canonical bytes, strictly: exactly one encoding is accepted for each header, so the
   * bytes a signature covers and the header a node acts on can never disagree.
   */
  public static SegmentHeader decode(byte[] bytes) {
    if (bytes == null || bytes.length > MAX_ENCODED_BYTES) {
      throw new SegmentFormatException("header must be at most " + MAX_ENCODED_BYTES + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int version = Byte.toUnsignedInt(in.get());
      if (version != FORMAT_VERSION) {
        throw new SegmentFormatException("unknown header version " + version);
      }
      int streamLength = Short.toUnsignedInt(in.getShort());
      if (streamLength > MAX_STREAM_BYTES) {
        throw new SegmentFormatException(
            "stream name of " + streamLength + " bytes, limit " + MAX_STREAM_BYTES);
      }
      byte[] streamBytes = new byte[streamLength];
      in.get(streamBytes);
      String stream = strictUtf8(streamBytes);
      long sequence = in.getLong();
      int durationMillis = in.getInt();
      int byteLength = in.getInt();
      int chunkSize = in.getInt();
      long producedAtMillis = in.getLong();
      int flags = Byte.toUnsignedInt(in.get());
      if ((flags & ~FLAG_DISCONTINUITY) != 0) {
        throw new SegmentFormatException("unknown header flags 0x" + Integer.toHexString(flags));
      }
      long discontinuitySequence = in.getLong();
      int count = Short.toUnsignedInt(in.getShort());
      if (count > MAX_CHUNK_COUNT) {
        throw new SegmentFormatException(count + " chunk hashes, limit " + MAX_CHUNK_COUNT);
      }
      if (in.remaining() != count * HASH_BYTES) {
        throw new SegmentFormatException(
            "header declares "
                + count
                + " hashes ("
                + count * HASH_BYTES
                + " bytes) but "
                + in.remaining()
                + " bytes follow");
      }
      List<byte[]> hashes = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] hash = new byte[HASH_BYTES];
        in.get(hash);
        hashes.add(hash);
      }
      return new SegmentHeader(
          stream,
          sequence,
          durationMillis,
          byteLength,
          chunkSize,
          hashes,
          producedAtMillis,
          (flags & FLAG_DISCONTINUITY) != 0,
          discontinuitySequence);
    } catch (BufferUnderflowException e) {
      throw new SegmentFormatException(
          "header truncated at byte " + in.position() + " of " + bytes.length);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SegmentHeader h)) {
      return false;
    }
    if (sequence != h.sequence
        || durationMillis != h.durationMillis
        || byteLength != h.byteLength
        || chunkSize != h.chunkSize
        || producedAtMillis != h.producedAtMillis
        || discontinuity != h.discontinuity
        || discontinuitySequence != h.discontinuitySequence
        || !stream.equals(h.stream)
        || chunkHashes.size() != h.chunkHashes.size()) {
      return false;
    }
    for (int i = 0; i < chunkHashes.size(); i++) {
      if (!Arrays.equals(chunkHashes.get(i), h.chunkHashes.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int result = stream.hashCode();
    result = 31 * result + Long.hashCode(sequence);
    result = 31 * result + durationMillis;
    result = 31 * result + byteLength;
    result = 31 * result + chunkSize;
    result = 31 * result + Long.hashCode(producedAtMillis);
    result = 31 * result + Boolean.hashCode(discontinuity);
    result = 31 * result + Long.hashCode(discontinuitySequence);
    for (byte[] hash : chunkHashes) {
      result = 31 * result + Arrays.hashCode(hash);
    }
    return result;
  }

  @Override
  public String toString() {
    String first =
        chunkHashes.isEmpty()
            ? ""
            : ", first " + HexFormat.of().formatHex(chunkHashes.get(0), 0, 4) + "…";
    return "SegmentHeader[stream="
        + stream
        + ", sequence="
        + sequence
        + ", durationMillis="
        + durationMillis
        + ", byteLength="
        + byteLength
        + ", chunkSize="
        + chunkSize
        + ", chunkHashes="
        + chunkHashes.size()
        + first
        + ", producedAtMillis="
        + producedAtMillis
        + ", discontinuity="
        + discontinuity
        + ", discontinuitySequence="
        + discontinuitySequence
        + "]";
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= chunkHashes.size()) {
      throw new IndexOutOfBoundsException("chunk " + index + " of " + chunkHashes.size());
    }
  }

  private static void checkSafe(String name, long value) {
    if (value < 0 || value > MAX_SAFE_INTEGER) {
      throw new SegmentFormatException(name + " must be 0..2^53-1, got " + value);
    }
  }

  private static byte[] utf8(String s) {
    if (s == null) {
      throw new SegmentFormatException("stream is missing");
    }
    try {
      // Strict: String.getBytes would silently turn a lone surrogate into '?'.
      ByteBuffer bytes =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s));
      return Arrays.copyOf(bytes.array(), bytes.limit());
    } catch (CharacterCodingException e) {
      throw new SegmentFormatException("stream is not valid Unicode");
    }
  }

  private static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SegmentFormatException("stream is not valid UTF-8");
    }
  }
}

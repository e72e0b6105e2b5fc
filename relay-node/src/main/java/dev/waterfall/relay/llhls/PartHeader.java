package dev.waterfall.relay.llhls;

import dev.waterfall.relay.segment.SegmentFormatException;
import dev.waterfall.relay.segment.SegmentHeader;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What the origin signs for one LL-HLS part (header format version 2): which stream, part and
 * segment it is, how long it plays, whether it opens on a keyframe, which init segment it plays
 * against, and the SHA-256 of each chunk, so a node checks and forwards each chunk the moment it
 * arrives, as with a segment header (docs/protocol.md, "Part header").
 *
 * <p>Every instance is valid and {@code decode(h.encode()).equals(h)}; decoding is strict.
 */
public record PartHeader(
    String stream,
    long partId,
    long msn,
    int index,
    int durationMicros,
    boolean independent,
    byte[] initSha256,
    long producedAtMillis,
    int byteLength,
    int chunkSize,
    List<byte[]> chunkHashes) {

  public static final int FORMAT_VERSION = 2;

  /**
   * Byte 1 of a version-2 message: what it is (a part header here, an init record in {@link
   * SignedInit}).
   */
  static final int KIND_PART = 1;

  static final int KIND_INIT = 2;
  public static final int MAX_DURATION_MICROS = 60_000_000;
  private static final int FLAG_INDEPENDENT = 1;
  private static final int HASH = SegmentHeader.HASH_BYTES;
  // version, kind, stream length, part id, msn, index, duration, flags, init hash, produced at,
  // byte length, chunk size, count
  private static final int FIXED_BYTES = 1 + 1 + 2 + 8 + 8 + 2 + 4 + 1 + HASH + 8 + 4 + 4 + 2;
  public static final int MAX_ENCODED_BYTES =
      FIXED_BYTES + SegmentHeader.MAX_STREAM_BYTES + SegmentHeader.MAX_CHUNK_COUNT * HASH;

  public PartHeader {
    byte[] name = Utf8.encode(stream);
    if (name.length == 0 || name.length > SegmentHeader.MAX_STREAM_BYTES) {
      throw new SegmentFormatException(
          "stream must be 1.."
              + SegmentHeader.MAX_STREAM_BYTES
              + " UTF-8 bytes, got "
              + name.length);
    }
    safe("partId", partId);
    safe("msn", msn);
    safe("producedAtMillis", producedAtMillis);
    if (index < 0 || index > 0xFFFF) {
      throw new SegmentFormatException("index must be 0..65535, got " + index);
    }
    if (durationMicros < 1 || durationMicros > MAX_DURATION_MICROS) {
      throw new SegmentFormatException(
          "durationMicros must be 1.." + MAX_DURATION_MICROS + ", got " + durationMicros);
    }
    if (initSha256 == null || initSha256.length != HASH) {
      throw new SegmentFormatException("the init segment's SHA-256 must be " + HASH + " bytes");
    }
    initSha256 = initSha256.clone();
    if (byteLength < 1 || byteLength > SegmentHeader.MAX_BYTE_LENGTH) {
      throw new SegmentFormatException(
          "byteLength must be 1.." + SegmentHeader.MAX_BYTE_LENGTH + ", got " + byteLength);
    }
    if (chunkSize < 1 || chunkSize > SegmentHeader.MAX_CHUNK_SIZE) {
      throw new SegmentFormatException(
          "chunkSize must be 1.." + SegmentHeader.MAX_CHUNK_SIZE + ", got " + chunkSize);
    }
    int expected = SegmentHeader.chunkCount(byteLength, chunkSize);
    if (expected > SegmentHeader.MAX_CHUNK_COUNT) {
      throw new SegmentFormatException(
          "a part of " + byteLength + " bytes needs " + expected + " chunks, more than 1024");
    }
    if (chunkHashes == null || chunkHashes.size() != expected) {
      throw new SegmentFormatException(
          "expected "
              + expected
              + " chunk hashes, got "
              + (chunkHashes == null ? "none" : chunkHashes.size()));
    }
    List<byte[]> copies = new ArrayList<>(expected);
    for (byte[] hash : chunkHashes) {
      if (hash == null || hash.length != HASH) {
        throw new SegmentFormatException("every chunk hash must be " + HASH + " bytes");
      }
      copies.add(hash.clone());
    }
    chunkHashes = List.copyOf(copies);
  }

  public int chunkCount() {
    return chunkHashes.size();
  }

  /** chunkSize, except the last chunk, which holds what is left. */
  public int chunkLength(int i) {
    if (i < 0 || i >= chunkHashes.size()) {
      throw new IndexOutOfBoundsException("chunk " + i + " of " + chunkHashes.size());
    }
    return Math.min(chunkSize, byteLength - i * chunkSize);
  }

  public double seconds() {
    return durationMicros / 1e6;
  }

  @Override
  public byte[] initSha256() {
    return initSha256.clone();
  }

  @Override
  public List<byte[]> chunkHashes() {
    return chunkHashes.stream().map(byte[]::clone).toList();
  }

  boolean initIs(byte[] sha256) {
    return Arrays.equals(initSha256, sha256);
  }

  byte[] hashAt(int i) {
    return chunkHashes.get(i);
  }

  /** The canonical bytes: what the origin signs and what travels in a PART_HEADER frame. */
  public byte[] encode() {
    byte[] name = Utf8.encode(stream);
    ByteBuffer out = ByteBuffer.allocate(FIXED_BYTES + name.length + chunkHashes.size() * HASH);
    out.put((byte) FORMAT_VERSION).put((byte) KIND_PART);
    out.putShort((short) name.length).put(name);
    out.putLong(partId).putLong(msn).putShort((short) index).putInt(durationMicros);
    out.put((byte) (independent ? FLAG_INDEPENDENT : 0));
    out.put(initSha256);
    out.putLong(producedAtMillis).putInt(byteLength).putInt(chunkSize);
    out.putShort((short) chunkHashes.size());
    chunkHashes.forEach(out::put);
    return out.array();
  }

  /** Parses canonical bytes strictly: one encoding per header, so signature and meaning agree. */
  public static PartHeader decode(byte[] bytes) {
    if (bytes == null || bytes.length > MAX_ENCODED_BYTES) {
      throw new SegmentFormatException(
          "part header must be at most " + MAX_ENCODED_BYTES + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int version = Byte.toUnsignedInt(in.get());
      int kind = Byte.toUnsignedInt(in.get());
      if (version != FORMAT_VERSION || kind != KIND_PART) {
        throw new SegmentFormatException(
            "not a part header (version " + version + ", kind " + kind + ")");
      }
      int nameLength = Short.toUnsignedInt(in.getShort());
      if (nameLength > SegmentHeader.MAX_STREAM_BYTES) {
        throw new SegmentFormatException("stream name of " + nameLength + " bytes");
      }
      byte[] name = new byte[nameLength];
      in.get(name);
      String stream = Utf8.decode(name);
      long partId = in.getLong();
      long msn = in.getLong();
      int index = Short.toUnsignedInt(in.getShort());
      int duration = in.getInt();
      int flags = Byte.toUnsignedInt(in.get());
      if ((flags & ~FLAG_INDEPENDENT) != 0) {
        throw new SegmentFormatException("unknown part flags 0x" + Integer.toHexString(flags));
      }
      byte[] init = new byte[HASH];
      in.get(init);
      long producedAt = in.getLong();
      int byteLength = in.getInt();
      int chunkSize = in.getInt();
      int count = Short.toUnsignedInt(in.getShort());
      if (count > SegmentHeader.MAX_CHUNK_COUNT || in.remaining() != count * HASH) {
        throw new SegmentFormatException(
            "part header declares " + count + " hashes but " + in.remaining() + " bytes follow");
      }
      List<byte[]> hashes = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] h = new byte[HASH];
        in.get(h);
        hashes.add(h);
      }
      return new PartHeader(
          stream,
          partId,
          msn,
          index,
          duration,
          (flags & FLAG_INDEPENDENT) != 0,
          init,
          producedAt,
          byteLength,
          chunkSize,
          hashes);
    } catch (BufferUnderflowException e) {
      throw new SegmentFormatException("part header truncated at byte " + in.position());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartHeader h && Arrays.equals(encode(), h.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "PartHeader["
        + stream
        + " part "
        + partId
        + " = "
        + msn
        + "."
        + index
        + ", "
        + durationMicros
        + " µs"
        + (independent ? ", independent" : "")
        + ", init "
        + HexFormat.of().formatHex(initSha256, 0, 4)
        + "…, "
        + byteLength
        + " bytes in "
        + chunkHashes.size()
        + " chunks, produced "
        + producedAtMillis
        + "]";
  }

  private static void safe(String name, long value) {
    if (value < 0 || value > SegmentHeader.MAX_SAFE_INTEGER) {
      throw new SegmentFormatException(name + " must be 0..2^53-1, got " + value);
    }
  }

  /** Strict UTF-8 both ways, as the segment header's. */
  static final class Utf8 {
    private Utf8() {}

    static byte[] encode(String s) {
      if (s == null) {
        throw new SegmentFormatException("stream is missing");
      }
      try {
        ByteBuffer b =
            StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .encode(java.nio.CharBuffer.wrap(s));
        return Arrays.copyOf(b.array(), b.limit());
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new SegmentFormatException("stream is not valid Unicode");
      }
    }

    static String decode(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new SegmentFormatException("stream is not valid UTF-8");
      }
    }
  }
}

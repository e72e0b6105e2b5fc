package dev.waterfall.relay.cmaf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One ISO BMFF box inside a byte array: its four-character type, where it starts, where its payload
 * starts (after the 8- or 16-byte header) and where it ends. Only what CMAF needs: no {@code uuid}
 * types, and a size of 0 ("to the end of the file") is refused, since a live stream has no end to
 * run to.
 */
public record Mp4Box(String type, int start, int payload, int end) {

  /**
   * The boxes laid end to end in {@code bytes[from, to)}; a box running past {@code to} is
   * malformed.
   */
  public static List<Mp4Box> children(byte[] bytes, int from, int to) {
    List<Mp4Box> out = new ArrayList<>();
    int at = from;
    while (at < to) {
      if (to - at < 8) {
        throw new CmafFormatException("truncated box header at byte " + at);
      }
      long size = u32(bytes, at);
      String type = new String(bytes, at + 4, 4, StandardCharsets.ISO_8859_1);
      int header = 8;
      if (size == 1) {
        if (to - at < 16) {
          throw new CmafFormatException("truncated 64-bit size of '" + type + "' at byte " + at);
        }
        size = u64(bytes, at + 8);
        header = 16;
      }
      if (size < header || size > to - at) {
        throw new CmafFormatException(
            "box '"
                + type
                + "' at byte "
                + at
                + " has size "
                + size
                + ", "
                + (to - at)
                + " bytes left");
      }
      out.add(new Mp4Box(type, at, at + header, (int) (at + size)));
      at += (int) size;
    }
    return out;
  }

  /** The boxes inside this one (for container boxes such as moov, trak, moof, traf). */
  public List<Mp4Box> children(byte[] bytes) {
    return children(bytes, payload, end);
  }

  /** The first child of this type, if any. */
  public Optional<Mp4Box> child(byte[] bytes, String childType) {
    return children(bytes).stream().filter(b -> b.type.equals(childType)).findFirst();
  }

  /** The first child of this type; missing is malformed. */
  public Mp4Box require(byte[] bytes, String childType) {
    return child(bytes, childType)
        .orElseThrow(
            () ->
                new CmafFormatException(
                    "'" + type + "' at byte " + start + " has no '" + childType + "'"));
  }

  public int size() {
    return end - start;
  }

  /** A full box's version (the first payload byte). */
  public int version(byte[] bytes) {
    need(4, bytes);
    return bytes[payload] & 0xFF;
  }

  /** A full box's 24 flag bits. */
  public int flags(byte[] bytes) {
    need(4, bytes);
    return (int) (u32(bytes, payload) & 0xFFFFFF);
  }

  /** Fails unless the payload holds at least {@code n} bytes. */
  void need(int n, byte[] bytes) {
    if (end - payload < n) {
      throw new CmafFormatException(
          "box '"
              + type
              + "' at byte "
              + start
              + " is too short: "
              + (end - payload)
              + " payload bytes, "
              + n
              + " needed");
    }
  }

  static long u32(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24)
        | ((b[at + 1] & 0xFFL) << 16)
        | ((b[at + 2] & 0xFFL) << 8)
        | (b[at + 3] & 0xFFL);
  }

  static long u64(byte[] b, int at) {
    long high = u32(b, at);
    if (high > 0x7FFFFFFFL) {
      throw new CmafFormatException("64-bit value at byte " + at + " out of range");
    }
    return (high << 32) | u32(b, at + 4);
  }

  static void putU32(byte[] b, int at, long v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static void putU64(byte[] b, int at, long v) {
    putU32(b, at, v >>> 32);
    putU32(b, at + 4, v & 0xFFFFFFFFL);
  }
}

package dev.waterfall.relay.llhls;

import dev.waterfall.relay.segment.SegmentFormatException;
import dev.waterfall.relay.segment.SignedHeader;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The CMAF init segment as the tree carries it, once per link, in its own signed record (format
 * version 2, kind 2: u16 stream length, stream, u32 byte length, the init segment); part headers
 * name its SHA-256, so a part never plays against another init. Signature not checked here: {@link
 * PartVerifier} does that.
 */
public record SignedInit(String stream, byte[] init, byte[] signature) {

  /** An init segment is a ftyp and a moov of a few KB; this keeps the record inside one frame. */
  public static final int MAX_INIT_BYTES = 60_000;

  public SignedInit {
    byte[] name = PartHeader.Utf8.encode(stream);
    if (name.length == 0 || name.length > 64) {
      throw new SegmentFormatException("stream must be 1..64 UTF-8 bytes");
    }
    if (init == null || init.length == 0 || init.length > MAX_INIT_BYTES) {
      throw new SegmentFormatException("an init segment is 1.." + MAX_INIT_BYTES + " bytes");
    }
    if (signature == null || signature.length != SignedHeader.SIGNATURE_BYTES) {
      throw new SegmentFormatException("an Ed25519 signature is 64 bytes");
    }
    init = init.clone();
    signature = signature.clone();
  }

  /** The signed bytes. */
  public byte[] record() {
    byte[] name = PartHeader.Utf8.encode(stream);
    return ByteBuffer.allocate(1 + 1 + 2 + name.length + 4 + init.length)
        .put((byte) PartHeader.FORMAT_VERSION)
        .put((byte) PartHeader.KIND_INIT)
        .putShort((short) name.length)
        .put(name)
        .putInt(init.length)
        .put(init)
        .array();
  }

  public static SignedInit parse(byte[] record, byte[] signature) {
    ByteBuffer in = ByteBuffer.wrap(record);
    try {
      int version = Byte.toUnsignedInt(in.get());
      int kind = Byte.toUnsignedInt(in.get());
      if (version != PartHeader.FORMAT_VERSION || kind != PartHeader.KIND_INIT) {
        throw new SegmentFormatException(
            "not an init record (version " + version + ", kind " + kind + ")");
      }
      byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
      in.get(name);
      long length = Integer.toUnsignedLong(in.getInt());
      if (length != in.remaining()) {
        throw new SegmentFormatException(
            "init record declares " + length + " bytes but " + in.remaining() + " follow");
      }
      byte[] init = new byte[(int) length];
      in.get(init);
      return new SignedInit(PartHeader.Utf8.decode(name), init, signature);
    } catch (BufferUnderflowException e) {
      throw new SegmentFormatException("init record truncated at byte " + in.position());
    }
  }

  @Override
  public byte[] init() {
    return init.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public byte[] sha256() {
    return sha256(init);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedInit s
        && stream.equals(s.stream)
        && Arrays.equals(init, s.init)
        && Arrays.equals(signature, s.signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(init);
  }

  @Override
  public String toString() {
    return "SignedInit[" + stream + ", " + init.length + " bytes]";
  }
}

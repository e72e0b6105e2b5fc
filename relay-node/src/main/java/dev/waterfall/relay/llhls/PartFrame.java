package dev.waterfall.relay.llhls;

import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.frame.FrameException;
import dev.waterfall.relay.segment.SegmentFormatException;
import dev.waterfall.relay.segment.SignedHeader;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The DataChannel frames that carry LL-HLS parts (frame format version 1, types 5–7, beside
 * FrameCodec's 1–4): PART_HEADER (u32 length, part header bytes, signature), PART_CHUNK (u64 part
 * id, u16 index, payload) and INIT (u32 length, init record bytes, signature). They go only to
 * children that asked for parts, so a page that knows only types 1–4 never sees one.
 */
public sealed interface PartFrame permits PartFrame.Header, PartFrame.Chunk, PartFrame.Init {

  int PART_HEADER = 5;
  int PART_CHUNK = 6;
  int INIT = 7;

  record Header(SignedPart signed) implements PartFrame {}

  record Chunk(long partId, int index, byte[] payload) implements PartFrame {
    @Override
    public boolean equals(Object o) {
      return o instanceof Chunk c
          && partId == c.partId
          && index == c.index
          && Arrays.equals(payload, c.payload);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(partId) * 31 + index;
    }
  }

  record Init(SignedInit signed) implements PartFrame {}

  /** Whether this message is one of the part frames (the rest is FrameCodec's). */
  public static boolean isPartFrame(byte[] message) {
    return message.length >= 2
        && message[0] == FrameCodec.VERSION
        && message[1] >= PART_HEADER
        && message[1] <= INIT;
  }

  public static byte[] encode(SignedPart part) {
    return signed(PART_HEADER, part.encodedView(), part.signatureView());
  }

  public static byte[] encode(SignedInit init) {
    return signed(INIT, init.record(), init.signature());
  }

  public static byte[] chunk(long partId, int index, byte[] payload, int offset, int length) {
    return ByteBuffer.allocate(2 + 8 + 2 + length)
        .put((byte) FrameCodec.VERSION)
        .put((byte) PART_CHUNK)
        .putLong(partId)
        .putShort((short) index)
        .put(payload, offset, length)
        .array();
  }

  private static byte[] signed(int type, byte[] body, byte[] signature) {
    return ByteBuffer.allocate(2 + 4 + body.length + signature.length)
        .put((byte) FrameCodec.VERSION)
        .put((byte) type)
        .putInt(body.length)
        .put(body)
        .put(signature)
        .array();
  }

  /** Strict, with FrameCodec's rejection codes; the signature is checked by the ledger. */
  public static PartFrame decode(byte[] message) {
    if (!isPartFrame(message)) {
      throw new FrameException("unknown-type", "not a part frame");
    }
    if (message.length > FrameCodec.MAX_FRAME_BYTES) {
      throw new FrameException("oversized", "message of " + message.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(message, 2, message.length - 2);
    if (message[1] == PART_CHUNK) {
      if (in.remaining() < 11) {
        throw new FrameException("truncated", "part chunk of " + message.length + " bytes");
      }
      long partId = in.getLong();
      if (partId < 0 || partId > (1L << 53) - 1) {
        throw new FrameException("bad-value", "part id over 2^53-1");
      }
      int index = Short.toUnsignedInt(in.getShort());
      byte[] payload = new byte[in.remaining()];
      in.get(payload);
      return new Chunk(partId, index, payload);
    }
    if (in.remaining() < 4) {
      throw new FrameException("truncated", "no length");
    }
    long length = Integer.toUnsignedLong(in.getInt());
    if (in.remaining() != length + SignedHeader.SIGNATURE_BYTES) {
      throw new FrameException(
          in.remaining() < length + SignedHeader.SIGNATURE_BYTES ? "truncated" : "trailing-bytes",
          "body of " + length + " bytes and a signature, but " + in.remaining() + " bytes follow");
    }
    byte[] body = new byte[(int) length];
    byte[] signature = new byte[SignedHeader.SIGNATURE_BYTES];
    in.get(body).get(signature);
    try {
      return message[1] == PART_HEADER
          ? new Header(SignedPart.parse(body, signature))
          : new Init(SignedInit.parse(body, signature));
    } catch (SegmentFormatException e) {
      throw new FrameException("bad-header", e.getMessage());
    }
  }
}

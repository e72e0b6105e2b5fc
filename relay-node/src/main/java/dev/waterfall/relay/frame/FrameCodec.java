package dev.waterfall.relay.frame;

import dev.waterfall.relay.segment.SegmentFormatException;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import java.nio.ByteBuffer;

/**
 * Frames to bytes and back: byte 0 the format version, byte 1 the {@link FrameType}, then the body,
 * big-endian. {@link #encode} returns an array of exactly the frame's size (webrtc-java sends a
 * buffer's whole backing array); {@link #decode} throws nothing but {@link FrameException},
 * whatever the input.
 */
public final class FrameCodec {

  public static final int VERSION = 1;

  /** The largest message: a full CHUNK frame (12 + 65536 bytes) fits, with room to spare. */
  public static final int MAX_FRAME_BYTES = 65536 + 16;

  private static final int PREFIX = 2;
  private static final int CHUNK_PREFIX = PREFIX + 8 + 2;
  private static final int WINDOW_BYTES = PREFIX + 8 + 8;

  private FrameCodec() {}

  public static byte[] encode(Frame frame) {
    ByteBuffer out;
    if (frame instanceof Frame.Header h) {
      byte[] header = h.signed().encoded();
      out = start(FrameType.HEADER, 4 + header.length + SignedHeader.SIGNATURE_BYTES);
      out.putInt(header.length).put(header).put(h.signed().signature());
    } else if (frame instanceof Frame.Chunk c) {
      out = start(FrameType.CHUNK, 8 + 2 + c.payloadLength());
      out.putLong(c.sequence()).putShort((short) c.index()).put(c.payloadView());
    } else if (frame instanceof Frame.Window w) {
      out = start(FrameType.WINDOW, 8 + 8);
      out.putLong(w.firstSequence()).putLong(w.lastSequence());
    } else if (frame instanceof Frame.Control c) {
      byte[] json = ControlJson.utf8(c.json());
      out = start(FrameType.CONTROL, json.length);
      out.put(json);
    } else {
      throw new IllegalArgumentException("unknown frame " + frame);
    }
    return out.array();
  }

  public static Frame decode(byte[] bytes) {
    if (bytes == null) {
      throw new FrameException("empty", "no frame");
    }
    return decode(ByteBuffer.wrap(bytes));
  }

  /** Decodes the buffer's remaining bytes as one frame; the buffer's position is left as it was. */
  public static Frame decode(ByteBuffer message) {
    if (message == null) {
      throw new FrameException("empty", "no frame");
    }
    try {
      return decodeChecked(message.slice());
    } catch (FrameException e) {
      throw e;
    } catch (RuntimeException e) {
      // A relay must survive any bytes a peer sends: whatever slipped past the checks is still a
      // bad frame.
      throw new FrameException("malformed", String.valueOf(e.getMessage()));
    }
  }

  private static Frame decodeChecked(ByteBuffer in) {
    int length = in.remaining();
    if (length == 0) {
      throw new FrameException("empty", "empty message");
    }
    if (length > MAX_FRAME_BYTES) {
      throw new FrameException(
          "oversized", "message of " + length + " bytes, limit " + MAX_FRAME_BYTES);
    }
    if (length < PREFIX) {
      throw new FrameException("truncated", "message of 1 byte");
    }
    int version = Byte.toUnsignedInt(in.get());
    if (version != VERSION) {
      throw new FrameException("unknown-version", "frame version " + version);
    }
    int typeCode = Byte.toUnsignedInt(in.get());
    FrameType type = FrameType.of(typeCode);
    if (type == null) {
      throw new FrameException("unknown-type", "frame type " + typeCode);
    }
    switch (type) {
      case HEADER:
        return decodeHeader(in);
      case CHUNK:
        return decodeChunk(in);
      case WINDOW:
        return decodeWindow(in);
      case CONTROL:
        return decodeControl(in);
      default:
        throw new FrameException("unknown-type", "frame type " + typeCode);
    }
  }

  private static Frame decodeHeader(ByteBuffer in) {
    need(in, 4, "header length");
    long headerLength = Integer.toUnsignedLong(in.getInt());
    if (headerLength > SegmentHeader.MAX_ENCODED_BYTES) {
      throw new FrameException(
          "bad-length",
          "header length " + headerLength + ", limit " + SegmentHeader.MAX_ENCODED_BYTES);
    }
    long expected = headerLength + SignedHeader.SIGNATURE_BYTES;
    if (in.remaining() < expected) {
      throw new FrameException(
          "truncated", "header frame needs " + expected + " more bytes, has " + in.remaining());
    }
    if (in.remaining() > expected) {
      throw new FrameException(
          "trailing-bytes", (in.remaining() - expected) + " bytes after the signature");
    }
    byte[] header = new byte[(int) headerLength];
    byte[] signature = new byte[SignedHeader.SIGNATURE_BYTES];
    in.get(header).get(signature);
    try {
      return new Frame.Header(SignedHeader.parse(header, signature));
    } catch (SegmentFormatException e) {
      throw new FrameException("bad-header", e.getMessage());
    }
  }

  private static Frame decodeChunk(ByteBuffer in) {
    need(in, CHUNK_PREFIX - PREFIX, "chunk sequence and index");
    long sequence = in.getLong();
    int index = Short.toUnsignedInt(in.getShort());
    int payloadLength = in.remaining();
    if (payloadLength == 0) {
      throw new FrameException(
          "empty-chunk", "chunk " + index + " of segment " + sequence + " has no payload");
    }
    if (payloadLength > Frame.MAX_CHUNK_PAYLOAD) {
      throw new FrameException(
          "oversized", "chunk of " + payloadLength + " bytes, limit " + Frame.MAX_CHUNK_PAYLOAD);
    }
    byte[] payload = new byte[payloadLength];
    in.get(payload);
    return new Frame.Chunk(sequence, index, payload);
  }

  private static Frame decodeWindow(ByteBuffer in) {
    need(in, WINDOW_BYTES - PREFIX, "window");
    if (in.remaining() > WINDOW_BYTES - PREFIX) {
      throw new FrameException("trailing-bytes", (in.remaining() - 16) + " bytes after the window");
    }
    return new Frame.Window(in.getLong(), in.getLong());
  }

  private static Frame decodeControl(ByteBuffer in) {
    if (in.remaining() > Frame.MAX_CONTROL_BYTES) {
      throw new FrameException(
          "oversized",
          "control body of " + in.remaining() + " bytes, limit " + Frame.MAX_CONTROL_BYTES);
    }
    return new Frame.Control(ControlJson.text(in));
  }

  private static void need(ByteBuffer in, int bytes, String what) {
    if (in.remaining() < bytes) {
      throw new FrameException(
          "truncated", what + " needs " + bytes + " bytes, has " + in.remaining());
    }
  }

  private static ByteBuffer start(FrameType type, int bodyLength) {
    ByteBuffer out = ByteBuffer.allocate(PREFIX + bodyLength);
    return out.put((byte) VERSION).put((byte) type.code());
  }
}

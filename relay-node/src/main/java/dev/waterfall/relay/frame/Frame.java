package dev.waterfall.relay.frame;

import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import java.util.Arrays;

/**
 * One DataChannel message. Every instance is valid: the constructors enforce what {@link
 * FrameCodec#decode} enforces and throw {@link FrameException} with the same codes. The byte layout
 * is in docs/protocol.md (Data-plane formats).
 */
public sealed interface Frame permits Frame.Header, Frame.Chunk, Frame.Window, Frame.Control {

  int MAX_CHUNK_PAYLOAD = SegmentHeader.MAX_CHUNK_SIZE;
  int MAX_CONTROL_BYTES = 4096;

  FrameType type();

  /**
   * A segment's signed header; always sent before its chunks. Not verified: {@code SegmentVerifier}
   * does that.
   */
  record Header(SignedHeader signed) implements Frame {
    public Header {
      if (signed == null) {
        throw new FrameException("bad-header", "missing header");
      }
    }

    @Override
    public FrameType type() {
      return FrameType.HEADER;
    }
  }

  /** Chunk {@code index} of segment {@code sequence}: 1..65536 bytes. */
  record Chunk(long sequence, int index, byte[] payload) implements Frame {
    public Chunk {
      checkSequence(sequence);
      if (index < 0 || index > 0xFFFF) {
        throw new FrameException("bad-value", "chunk index " + index + " is not a u16");
      }
      if (payload == null || payload.length == 0) {
        throw new FrameException("empty-chunk", "a chunk carries at least one byte");
      }
      if (payload.length > MAX_CHUNK_PAYLOAD) {
        throw new FrameException(
            "oversized", "chunk of " + payload.length + " bytes, limit " + MAX_CHUNK_PAYLOAD);
      }
      payload = payload.clone();
    }

    @Override
    public FrameType type() {
      return FrameType.CHUNK;
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    /** Bytes written straight into an encoded frame, without the defensive copy. */
    int payloadLength() {
      return payload.length;
    }

    byte[] payloadView() {
      return payload;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Chunk c
          && sequence == c.sequence
          && index == c.index
          && Arrays.equals(payload, c.payload);
    }

    @Override
    public int hashCode() {
      return (Long.hashCode(sequence) * 31 + index) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Chunk[sequence=" + sequence + ", index=" + index + ", bytes=" + payload.length + "]";
    }
  }

  /**
   * "Playlist update": the oldest and newest complete segment the sender holds now. A child drops
   * what fell out of that window and knows which segments to expect or fetch.
   */
  record Window(long firstSequence, long lastSequence) implements Frame {
    public Window {
      checkSequence(firstSequence);
      checkSequence(lastSequence);
      if (firstSequence > lastSequence) {
        throw new FrameException(
            "bad-window", "first sequence " + firstSequence + " after last " + lastSequence);
      }
    }

    @Override
    public FrameType type() {
      return FrameType.WINDOW;
    }
  }

  /** A JSON object such as {@code {"type":"ping"}}, at most 4 KiB of UTF-8. */
  record Control(String json) implements Frame {
    public Control {
      if (json == null) {
        throw new FrameException("bad-json", "missing control body");
      }
      if (json.length() > MAX_CONTROL_BYTES || ControlJson.utf8(json).length > MAX_CONTROL_BYTES) {
        throw new FrameException("oversized", "control body over " + MAX_CONTROL_BYTES + " bytes");
      }
      ControlJson.parseObject(json);
    }

    @Override
    public FrameType type() {
      return FrameType.CONTROL;
    }
  }

  private static void checkSequence(long sequence) {
    if (sequence < 0 || sequence > SegmentHeader.MAX_SAFE_INTEGER) {
      throw new FrameException("bad-value", "sequence " + sequence + " is outside 0..2^53-1");
    }
  }
}

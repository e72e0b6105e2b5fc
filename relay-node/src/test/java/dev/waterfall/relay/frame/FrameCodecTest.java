package dev.waterfall.relay.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.segment.TestSegments;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  private static final SignedHeader SIGNED =
      TestSegments.signed(5, TestSegments.bytes(100_000, 7), 65536);

  @Nested
  @DisplayName("round trips")
  class RoundTrips {

    @Test
    void header() {
      Frame frame = new Frame.Header(SIGNED);
      byte[] bytes = FrameCodec.encode(frame);
      assertThat(bytes).hasSize(2 + 4 + SIGNED.encoded().length + 64);
      assertThat(FrameCodec.decode(bytes)).isEqualTo(frame);
    }

    @Test
    @DisplayName("a chunk frame is 12 bytes plus the payload, with equality by content")
    void chunk() {
      byte[] payload = TestSegments.bytes(65536, 1);
      Frame frame = new Frame.Chunk(5, 1, payload);
      byte[] bytes = FrameCodec.encode(frame);
      assertThat(bytes).hasSize(12 + 65536);
      assertThat(HexFormat.of().formatHex(bytes, 0, 12))
          .isEqualTo("0102" + "0000000000000005" + "0001");
      assertThat(FrameCodec.decode(bytes)).isEqualTo(new Frame.Chunk(5, 1, payload.clone()));
    }

    @Test
    void window() {
      byte[] bytes = FrameCodec.encode(new Frame.Window(3, 17));
      assertThat(HexFormat.of().formatHex(bytes))
          .isEqualTo("0103" + "0000000000000003" + "0000000000000011");
      assertThat(FrameCodec.decode(bytes)).isEqualTo(new Frame.Window(3, 17));
    }

    @Test
    void control() {
      Frame frame = new Frame.Control("{\"type\":\"ping\",\"note\":\"héllo\"}");
      byte[] bytes = FrameCodec.encode(frame);
      assertThat(new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_8))
          .isEqualTo(((Frame.Control) frame).json());
      assertThat(FrameCodec.decode(bytes)).isEqualTo(frame);
    }

    @Test
    @DisplayName("decode(ByteBuffer) reads the remaining bytes and leaves the position alone")
    void byteBuffer() {
      byte[] frame = FrameCodec.encode(new Frame.Window(1, 2));
      ByteBuffer buffer = ByteBuffer.allocate(frame.length + 3);
      buffer.position(3);
      buffer.put(frame).position(3);
      assertThat(FrameCodec.decode(buffer)).isEqualTo(new Frame.Window(1, 2));
      assertThat(buffer.position()).isEqualTo(3);
      assertThat(FrameCodec.decode(ByteBuffer.allocateDirect(frame.length).put(frame).flip()))
          .isEqualTo(new Frame.Window(1, 2));
    }
  }

  @Nested
  @DisplayName("malformed frames")
  class Malformed {

    @Test
    void emptyAndTruncated() {
      assertCode(new byte[0], "empty");
      assertCode(new byte[] {1}, "truncated");
      assertCode(new byte[] {1, 2, 0, 0}, "truncated");
      assertCode(new byte[] {1, 3, 0, 0, 0, 0, 0, 0, 0, 1}, "truncated");
      assertCode(new byte[] {1, 1, 0}, "truncated");
      byte[] header = FrameCodec.encode(new Frame.Header(SIGNED));
      assertCode(Arrays.copyOf(header, header.length - 1), "truncated");
    }

    @Test
    void unknownVersionAndType() {
      assertCode(
          new byte[] {2, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, "unknown-version");
      assertCode(new byte[] {1, 9}, "unknown-type");
      assertCode(new byte[] {1, 0}, "unknown-type");
    }

    @Test
    void oversized() {
      byte[] chunk = new byte[12 + 65537];
      chunk[0] = 1;
      chunk[1] = 2;
      assertCode(chunk, "oversized");
      assertCode(new byte[FrameCodec.MAX_FRAME_BYTES + 1], "oversized");
      assertThatThrownBy(() -> new Frame.Chunk(1, 0, new byte[65537]))
          .isInstanceOf(FrameException.class)
          .hasMessageStartingWith("oversized");
      byte[] control = new byte[2 + 4097];
      control[0] = 1;
      control[1] = 4;
      assertCode(control, "oversized");
    }

    @Test
    void emptyChunk() {
      assertCode(new byte[] {1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, "empty-chunk");
    }

    @Test
    void trailingBytes() {
      byte[] window = FrameCodec.encode(new Frame.Window(1, 2));
      assertCode(Arrays.copyOf(window, window.length + 1), "trailing-bytes");
      byte[] header = FrameCodec.encode(new Frame.Header(SIGNED));
      assertCode(Arrays.copyOf(header, header.length + 1), "trailing-bytes");
    }

    @Test
    void badLengthsAndValues() {
      byte[] header = FrameCodec.encode(new Frame.Header(SIGNED));
      assertCode(ByteBuffer.wrap(header.clone()).putInt(2, 0x7FFFFFFF).array(), "bad-length");
      assertCode(
          ByteBuffer.wrap(header.clone()).putInt(2, SIGNED.encoded().length - 32).array(),
          "trailing-bytes");
      assertCode(ByteBuffer.wrap(header.clone()).put(6, (byte) 9).array(), "bad-header");
      assertCode(
          ByteBuffer.wrap(FrameCodec.encode(new Frame.Window(1, 2))).putLong(2, 5).array(),
          "bad-window");
      assertCode(
          ByteBuffer.wrap(FrameCodec.encode(new Frame.Window(1, 2))).putLong(2, -1).array(),
          "bad-value");
      assertCode(
          ByteBuffer.wrap(FrameCodec.encode(new Frame.Chunk(1, 0, new byte[1])))
              .putLong(2, 1L << 53)
              .array(),
          "bad-value");
    }

    @Test
    void badControl() {
      assertCode(control(new byte[] {'{', (byte) 0xC3, '}'}), "bad-utf8");
      assertCode(control("[1,2]".getBytes(StandardCharsets.UTF_8)), "bad-json");
      assertCode(control("{\"a\":1} x".getBytes(StandardCharsets.UTF_8)), "bad-json");
      assertCode(control("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)), "bad-json");
      assertCode(control(new byte[0]), "bad-json");
      assertCode(control("[".repeat(3000).getBytes(StandardCharsets.UTF_8)), "bad-json");
      assertThatThrownBy(() -> new Frame.Control("not json")).isInstanceOf(FrameException.class);
    }

    private byte[] control(byte[] body) {
      byte[] frame = new byte[2 + body.length];
      frame[0] = 1;
      frame[1] = 4;
      System.arraycopy(body, 0, frame, 2, body.length);
      return frame;
    }

    private void assertCode(byte[] bytes, String code) {
      assertThatThrownBy(() -> FrameCodec.decode(bytes))
          .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
  }
}

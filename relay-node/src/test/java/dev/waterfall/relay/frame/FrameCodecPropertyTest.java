package dev.waterfall.relay.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.segment.HeaderArbitraries;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * jqwik properties (kept apart from JUnit classes: jqwik ignores JUnit annotations such
 * as @DisplayName).
 */
class FrameCodecPropertyTest {

  @Property(tries = 400)
  void validFramesRoundTrip(@ForAll("frames") Frame frame) {
    byte[] bytes = FrameCodec.encode(frame);
    assertThat(bytes.length).isLessThanOrEqualTo(FrameCodec.MAX_FRAME_BYTES);
    assertThat(FrameCodec.decode(bytes)).isEqualTo(frame);
  }

  @Property(tries = 1000)
  void randomBytesOnlyFailWithFrameException(@ForAll @Size(max = 200) byte[] bytes) {
    decodeOrFrameException(bytes);
  }

  @Property(tries = 1000)
  void randomBodiesOfEveryTypeOnlyFailWithFrameException(
      @ForAll @IntRange(min = 0, max = 6) int type, @ForAll @Size(max = 120) byte[] body) {
    byte[] bytes = new byte[2 + body.length];
    bytes[0] = 1;
    bytes[1] = (byte) type;
    System.arraycopy(body, 0, bytes, 2, body.length);
    decodeOrFrameException(bytes);
  }

  @Property(tries = 1000)
  void mutatedFramesOnlyFailWithFrameException(
      @ForAll("frames") Frame frame,
      @ForAll @IntRange(min = 0, max = 1 << 20) int where,
      @ForAll byte value,
      @ForAll @IntRange(min = -3, max = 3) int resize) {
    byte[] bytes = FrameCodec.encode(frame);
    bytes[where % bytes.length] = value;
    byte[] resized = java.util.Arrays.copyOf(bytes, Math.max(0, bytes.length + resize));
    decodeOrFrameException(resized);
  }

  @Property(tries = 60)
  void oversizedMessagesOfEveryTypeAreRefusedBeforeParsing(
      @ForAll @IntRange(min = 0, max = 6) int type,
      @ForAll @IntRange(min = 1, max = 200_000) int excess) {
    byte[] bytes = new byte[FrameCodec.MAX_FRAME_BYTES + excess];
    bytes[0] = 1;
    bytes[1] = (byte) type;
    assertThat(codeOf(bytes)).isEqualTo("oversized");
  }

  @Property(tries = 1000)
  void hostileControlBodiesOnlyFailWithFrameException(
      @ForAll("hostileJson") String body, @ForAll boolean latin1) {
    byte[] text =
        body.getBytes(
            latin1
                ? java.nio.charset.StandardCharsets.ISO_8859_1
                : java.nio.charset.StandardCharsets.UTF_8);
    byte[] bytes = new byte[2 + text.length];
    bytes[0] = 1;
    bytes[1] = (byte) FrameType.CONTROL.code();
    System.arraycopy(text, 0, bytes, 2, text.length);
    decodeOrFrameException(bytes);
  }

  @Property(tries = 300)
  void aFrameInsideALargerBufferDecodesTheSameAndLeavesThePosition(
      @ForAll("frames") Frame frame, @ForAll @Size(max = 50) byte[] before) {
    byte[] bytes = FrameCodec.encode(frame);
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(before.length + bytes.length);
    buffer.put(before).put(bytes).position(before.length);
    assertThat(FrameCodec.decode(buffer)).isEqualTo(frame);
    assertThat(buffer.position()).isEqualTo(before.length);
  }

  private static String codeOf(byte[] bytes) {
    try {
      FrameCodec.decode(bytes);
      return "accepted";
    } catch (FrameException e) {
      return e.code();
    }
  }

  @Provide
  Arbitrary<String> hostileJson() {
    Arbitrary<Integer> depth = Arbitraries.integers().between(1, 5000);
    return Arbitraries.oneOf(
        depth.map(d -> "{\"a\":".repeat(d) + "1" + "}".repeat(d)),
        depth.map(d -> "[".repeat(d)),
        Arbitraries.of(
            "{\"type\":\"note\",\"type\":\"x\"}",
            "{\"type\":\"note\"} {}",
            "[]",
            "null",
            "1e999999999",
            "{\"n\":1e2147483648}",
            "{\"n\":" + "9".repeat(5000) + "}",
            "{\"s\":\"\\ud800\"}",
            "\ufeff{}",
            "{}\u0000"),
        Arbitraries.strings().ofMaxLength(300),
        Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-truefalsnul ").ofMaxLength(300));
  }

  private static void decodeOrFrameException(byte[] bytes) {
    try {
      Frame frame = FrameCodec.decode(bytes);
      // Whatever decodes must encode back to the same bytes: one encoding per frame.
      assertThat(FrameCodec.encode(frame)).isEqualTo(bytes);
    } catch (FrameException expected) {
      assertThat(expected.code()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<Frame> frames() {
    Arbitrary<Long> sequences = Arbitraries.longs().between(0, SegmentHeader.MAX_SAFE_INTEGER);
    Arbitrary<Frame> headers =
        Combinators.combine(
                HeaderArbitraries.headers(), Arbitraries.bytes().array(byte[].class).ofSize(64))
            .as(
                (header, signature) ->
                    new Frame.Header(new SignedHeader(header, header.encode(), signature)));
    Arbitrary<Frame> chunks =
        Combinators.combine(
                sequences,
                Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(2000),
                Arbitraries.of(false, true))
            .as(
                (sequence, index, payload, full) ->
                    new Frame.Chunk(sequence, index, full ? new byte[65536] : payload));
    Arbitrary<Frame> windows =
        Combinators.combine(sequences, sequences)
            .as((a, b) -> new Frame.Window(Math.min(a, b), Math.max(a, b)));
    Arbitrary<Frame> controls =
        Arbitraries.strings()
            .ofMaxLength(200)
            .map(s -> new Frame.Control("{\"type\":\"note\",\"text\":" + jsonString(s) + "}"));
    return Arbitraries.oneOf(headers, chunks, windows, controls);
  }

  private static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\"");
    s.codePoints()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
              } else if (c < 0x20 || (c >= 0xD800 && c <= 0xDFFF)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append('"').toString();
  }
}

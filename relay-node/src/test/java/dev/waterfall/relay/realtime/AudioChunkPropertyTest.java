package dev.waterfall.relay.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * jqwik properties of the rt-audio chunk framing (jqwik ignores JUnit annotations, hence a class of
 * its own).
 */
class AudioChunkPropertyTest {

  @Property(tries = 500)
  void chunksRoundTrip(@ForAll("chunks") AudioChunk chunk) {
    byte[] bytes = chunk.encode();
    assertThat(bytes).hasSize(AudioChunk.HEADER_BYTES + chunk.payload().length);
    assertThat(bytes.length).isLessThanOrEqualTo(AudioChunk.MAX_MESSAGE);
    assertThat(AudioChunk.decode(bytes)).isEqualTo(chunk);
  }

  @Property(tries = 1000)
  void randomBytesOnlyFailAsRejected(@ForAll @Size(max = 100) byte[] bytes) {
    decodeOrRejected(bytes);
  }

  @Property(tries = 1000)
  void mutatedChunksDecodeOrAreRejected(
      @ForAll("chunks") AudioChunk chunk,
      @ForAll @IntRange(min = 0, max = 1 << 20) int where,
      @ForAll byte value,
      @ForAll @IntRange(min = -30, max = 3) int resize) {
    byte[] bytes = chunk.encode();
    bytes[where % bytes.length] = value;
    decodeOrRejected(java.util.Arrays.copyOf(bytes, Math.max(0, bytes.length + resize)));
  }

  @Property(tries = 200)
  void everyTruncationOfTheHeaderIsRejected(
      @ForAll("chunks") AudioChunk chunk,
      @ForAll @IntRange(min = 0, max = AudioChunk.HEADER_BYTES) int keep) {
    assertThat(AudioChunkTest.code(java.util.Arrays.copyOf(chunk.encode(), keep))).isNotNull();
  }

  private static void decodeOrRejected(byte[] bytes) {
    try {
      AudioChunk c = AudioChunk.decode(bytes);
      assertThat(c.encode()).isEqualTo(bytes); // whatever decodes has exactly one encoding
    } catch (AudioChunk.Rejected e) {
      assertThat(e.code)
          .isIn(
              "empty",
              "truncated",
              "oversized",
              "unknown-version",
              "unknown-type",
              "bad-value",
              "bad-length");
    }
  }

  @Provide
  Arbitrary<AudioChunk> chunks() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.longs().between(0, AudioChunk.MAX_U53),
            Arbitraries.integers().between(0, AudioChunk.MAX_DURATION_MICROS),
            Arbitraries.longs().between(0, AudioChunk.MAX_U53),
            Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(AudioChunk.MAX_PAYLOAD))
        .as(AudioChunk::new);
  }
}

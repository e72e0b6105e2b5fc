package dev.waterfall.relay.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkVerificationTest {

  private final byte[] segment = TestSegments.bytes(150_000, 2);
  private final SegmentHeader header = TestSegments.header(9, segment, 65536);
  private final List<byte[]> chunks = Chunker.standard().split(segment);
  private final SegmentVerifier verifier = TestSegments.SIGNER.verifier();

  @Test
  void splitsIntoFullChunksAndAShortLastOne() {
    assertThat(chunks).extracting(c -> c.length).containsExactly(65536, 65536, 150_000 - 131_072);
    assertThat(header.chunkCount()).isEqualTo(3);
    assertThat(header.byteLength()).isEqualTo(150_000);
  }

  @Test
  void everyChunkVerifies() {
    for (int i = 0; i < chunks.size(); i++) {
      int index = i;
      assertThatCode(() -> verifier.verifyChunk(header, index, chunks.get(index)))
          .doesNotThrowAnyException();
    }
    ByteBuffer view = ByteBuffer.wrap(segment, 65536, 65536);
    verifier.verifyChunk(header, 1, view);
    assertThat(view.position()).isEqualTo(65536);
  }

  @Test
  void flippedByteIsRejected() {
    byte[] chunk = chunks.get(1).clone();
    chunk[1000] ^= 1;
    assertRejected(1, chunk, "SHA-256");
  }

  @Test
  void chunkAtWrongIndexIsRejected() {
    assertRejected(0, chunks.get(1), "SHA-256");
  }

  @Test
  void shortNonFinalChunkIsRejected() {
    assertRejected(0, Arrays.copyOf(chunks.get(0), 1000), "1000 bytes, expected 65536");
  }

  @Test
  void longLastChunkIsRejected() {
    assertRejected(2, Arrays.copyOf(chunks.get(2), chunks.get(2).length + 1), "expected 18928");
  }

  @Test
  void indexOutOfRangeIsRejected() {
    assertRejected(3, chunks.get(2), "out of range");
    assertRejected(-1, chunks.get(0), "out of range");
  }

  @Test
  void smallChunkSizes() {
    byte[] small = TestSegments.bytes(10, 3);
    SegmentHeader tiny = new Chunker(3).describe("s", 0, 40, 0, false, 0, small);
    List<byte[]> parts = new Chunker(3).split(small);
    assertThat(parts).hasSize(4);
    for (int i = 0; i < parts.size(); i++) {
      verifier.verifyChunk(tiny, i, parts.get(i));
    }
  }

  private void assertRejected(int index, byte[] bytes, String messagePart) {
    assertThatThrownBy(() -> verifier.verifyChunk(header, index, bytes))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(messagePart);
  }
}

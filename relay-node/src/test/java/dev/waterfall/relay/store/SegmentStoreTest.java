package dev.waterfall.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.segment.TestSegments;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SegmentStoreTest {

  private static final int CHUNK = 1000;
  private static final int LENGTH = 2500; // three chunks: 1000, 1000, 500

  private final MutableClock clock = new MutableClock(1_000_000);
  private SegmentStore store;

  @BeforeEach
  void setUp() {
    store =
        new SegmentStore(
            TestSegments.SIGNER.verifier(), new StoreLimits(10_000, 1 << 20, 6_000), clock);
  }

  private static byte[] segment(long sequence) {
    return TestSegments.bytes(LENGTH, sequence);
  }

  private static SignedHeader signed(long sequence) {
    return TestSegments.signed(sequence, segment(sequence), CHUNK);
  }

  private List<byte[]> chunks(long sequence) {
    return new Chunker(CHUNK).split(segment(sequence));
  }

  /** Header and every chunk of {@code sequence}. */
  private void fill(long sequence) {
    assertThat(store.addHeader(signed(sequence))).isEqualTo(HeaderResult.STORED);
    List<byte[]> chunks = chunks(sequence);
    for (int i = 0; i < chunks.size(); i++) {
      assertThat(store.addChunk(sequence, i, chunks.get(i))).isEqualTo(ChunkResult.STORED);
    }
  }

  @Nested
  @DisplayName("filling a segment")
  class Filling {

    @Test
    void chunksInAnyOrderCompleteTheSegment() {
      store.addHeader(signed(1));
      List<byte[]> chunks = chunks(1);
      assertThat(store.missingChunks(1)).containsExactly(0, 1, 2);
      clock.advance(10);
      assertThat(store.addChunk(1, 2, chunks.get(2))).isEqualTo(ChunkResult.STORED);
      assertThat(store.missingChunks(1)).containsExactly(0, 1);
      assertThat(store.isComplete(1)).isFalse();
      assertThat(store.segmentBytes(1)).isEmpty();
      assertThat(store.chunk(1, 2)).hasValueSatisfying(c -> assertThat(c).isEqualTo(chunks.get(2)));
      assertThat(store.chunk(1, 0)).isEmpty();
      clock.advance(20);
      store.addChunk(1, 0, chunks.get(0));
      store.addChunk(1, 1, chunks.get(1));
      assertThat(store.isComplete(1)).isTrue();
      assertThat(store.missingChunks(1)).isEmpty();
      assertThat(store.segmentBytes(1))
          .hasValueSatisfying(b -> assertThat(b).isEqualTo(segment(1)));
      assertThat(store.status(1))
          .hasValueSatisfying(
              s -> {
                assertThat(s.complete()).isTrue();
                assertThat(s.headerAtMillis()).isEqualTo(1_000_000);
                assertThat(s.firstChunkAtMillis()).isEqualTo(1_000_010);
                assertThat(s.completeAtMillis()).isEqualTo(1_000_030);
              });
      assertThat(store.window()).contains(new SequenceRange(1, 1));
    }

    @Test
    void callersCannotChangeWhatIsStored() {
      store.addHeader(signed(1));
      byte[] chunk = chunks(1).get(0);
      store.addChunk(1, 0, chunk);
      chunk[0] ^= 1;
      store.chunk(1, 0).orElseThrow()[1] ^= 1;
      assertThat(store.chunk(1, 0))
          .hasValueSatisfying(c -> assertThat(c).isEqualTo(chunks(1).get(0)));
    }

    @Test
    void duplicatesAndUnknownSegments() {
      assertThat(store.addChunk(1, 0, chunks(1).get(0))).isEqualTo(ChunkResult.UNKNOWN_SEGMENT);
      assertThat(store.missingChunks(1)).isEmpty();
      assertThat(store.addHeader(signed(1))).isEqualTo(HeaderResult.STORED);
      assertThat(store.addHeader(signed(1))).isEqualTo(HeaderResult.DUPLICATE);
      assertThat(store.addChunk(1, 0, chunks(1).get(0))).isEqualTo(ChunkResult.STORED);
      assertThat(store.addChunk(1, 0, chunks(1).get(0))).isEqualTo(ChunkResult.DUPLICATE);
    }

    @Test
    @DisplayName("a flipped byte, a wrong index, a short chunk or a bad signature are rejected")
    void rejections() {
      store.addHeader(signed(1));
      byte[] flipped = chunks(1).get(0);
      flipped[3] ^= 1;
      assertThat(store.addChunk(1, 0, flipped)).isEqualTo(ChunkResult.REJECTED);
      assertThat(store.addChunk(1, 1, chunks(1).get(0))).isEqualTo(ChunkResult.REJECTED);
      assertThat(store.addChunk(1, 0, chunks(1).get(2))).isEqualTo(ChunkResult.REJECTED);
      assertThat(store.addChunk(1, 3, chunks(1).get(2))).isEqualTo(ChunkResult.REJECTED);
      assertThat(store.missingChunks(1)).containsExactly(0, 1, 2);

      SignedHeader foreign = SegmentSigner.generate().sign(signed(2).header());
      assertThat(store.addHeader(foreign)).isEqualTo(HeaderResult.REJECTED);
      assertThat(store.header(2)).isEmpty();
    }

    @Test
    void conflictingHeaderKeepsTheFirst() {
      store.addHeader(signed(1));
      SegmentHeader other = TestSegments.header(1, TestSegments.bytes(LENGTH, 99), CHUNK);
      assertThat(store.addHeader(TestSegments.SIGNER.sign(other))).isEqualTo(HeaderResult.CONFLICT);
      assertThat(store.header(1)).contains(signed(1));
    }
  }

  @Nested
  @DisplayName("bounds")
  class Bounds {

    @Test
    @DisplayName("keeps 10 s of 2 s segments, oldest evicted first")
    void timeWindow() {
      for (long s = 0; s < 8; s++) {
        fill(s);
      }
      assertThat(store.sequences()).containsExactly(3L, 4L, 5L, 6L, 7L);
      assertThat(store.window()).contains(new SequenceRange(3, 7));
      assertThat(store.addChunk(0, 0, chunks(0).get(0))).isEqualTo(ChunkResult.UNKNOWN_SEGMENT);
      assertThat(store.addHeader(signed(1))).isEqualTo(HeaderResult.TOO_OLD);
      assertThat(store.heldBytes()).isEqualTo(5L * LENGTH);
    }

    @Test
    void byteCap() {
      store =
          new SegmentStore(
              TestSegments.SIGNER.verifier(), new StoreLimits(60_000, 2 * LENGTH, 6_000), clock);
      for (long s = 0; s < 4; s++) {
        store.addHeader(signed(s));
      }
      assertThat(store.sequences()).containsExactly(2L, 3L);
      assertThat(store.heldBytes()).isEqualTo(2L * LENGTH);
    }

    @Test
    @DisplayName("the newest segment is kept even when it alone exceeds the window")
    void keepsNewest() {
      store =
          new SegmentStore(
              TestSegments.SIGNER.verifier(), new StoreLimits(1_000, 1 << 20, 6_000), clock);
      store.addHeader(signed(0));
      store.addHeader(signed(1));
      assertThat(store.sequences()).containsExactly(1L);
    }

    @Test
    void dropBefore() {
      for (long s = 0; s < 4; s++) {
        fill(s);
      }
      store.dropBefore(2);
      assertThat(store.sequences()).containsExactly(2L, 3L);
      assertThat(store.addHeader(signed(1))).isEqualTo(HeaderResult.TOO_OLD);
    }
  }

  @Nested
  @DisplayName("what a playlist may show")
  class Playable {

    private List<Long> playable() {
      return store.playableSegments(10).stream().map(SegmentHeader::sequence).toList();
    }

    @Test
    void consecutiveCompleteSegmentsUpToTheLiveEdge() {
      fill(0);
      fill(1);
      store.addHeader(signed(2));
      assertThat(playable()).containsExactly(0L, 1L);
      assertThat(store.playableSegments(1)).extracting(SegmentHeader::sequence).containsExactly(1L);
    }

    @Test
    @DisplayName("an incomplete segment holds the playlist back until it completes")
    void waitsForAGap() {
      fill(0);
      store.addHeader(signed(1));
      fill(2);
      clock.advance(5_000);
      assertThat(playable()).containsExactly(0L);
      List<byte[]> chunks = chunks(1);
      for (int i = 0; i < chunks.size(); i++) {
        store.addChunk(1, i, chunks.get(i));
      }
      assertThat(playable()).containsExactly(0L, 1L, 2L);
    }

    @Test
    @DisplayName("an incomplete segment is skipped for good after the gap timeout, and evicted")
    void skipsAnOldGap() {
      fill(0);
      store.addHeader(signed(1));
      fill(2);
      clock.advance(6_000);
      assertThat(playable()).containsExactly(2L);
      assertThat(store.sequences()).containsExactly(0L, 2L);
      assertThat(store.addChunk(1, 0, chunks(1).get(0))).isEqualTo(ChunkResult.UNKNOWN_SEGMENT);
      assertThat(store.addHeader(signed(1))).isEqualTo(HeaderResult.TOO_OLD);
      fill(3);
      assertThat(playable()).containsExactly(2L, 3L);
    }

    @Test
    @DisplayName("a sequence that never arrived is waited for, then skipped")
    void missingHeader() {
      fill(0);
      fill(2);
      assertThat(playable()).containsExactly(0L);
      fill(1);
      assertThat(playable()).containsExactly(0L, 1L, 2L);
      fill(4);
      clock.advance(6_000);
      assertThat(playable()).containsExactly(4L);
    }

    @Test
    @DisplayName("never goes backwards: nothing older slips in front of what was offered")
    void monotonic() {
      fill(5);
      assertThat(playable()).containsExactly(5L);
      assertThat(store.addHeader(signed(4))).isEqualTo(HeaderResult.TOO_OLD);
      assertThat(playable()).containsExactly(5L);
    }

    @Test
    void emptyUntilSomethingCompletes() {
      assertThat(playable()).isEmpty();
      store.addHeader(signed(3));
      assertThat(playable()).isEmpty();
      assertThat(store.window()).isEmpty();
      // Nothing was offered, so an older header is still welcome.
      assertThat(store.addHeader(signed(2))).isEqualTo(HeaderResult.STORED);
    }
  }
}

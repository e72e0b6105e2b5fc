package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.TestSegments;
import dev.waterfall.relay.store.MutableClock;
import dev.waterfall.relay.store.SegmentStore;
import dev.waterfall.relay.store.StoreLimits;
import org.junit.jupiter.api.Test;

class GapFillerTest {
  private static final long PRODUCED = 1_800_000_000_000L;

  /** The store stamps each header's arrival with this clock. */
  private final MutableClock clock = new MutableClock(0);

  private final SegmentStore store =
      new SegmentStore(
          TestSegments.SIGNER.verifier(), new StoreLimits(60_000, 1 << 20, 6_000), clock);

  /**
   * The header of 2 s segment {@code seq}, produced at PRODUCED + 2 s·(seq − 10), arriving at
   * {@code arrival}.
   */
  private void headerArrives(long seq, long arrival) {
    byte[] bytes = TestSegments.bytes(2500, seq);
    clock.set(arrival);
    store.addHeader(
        TestSegments.SIGNER.sign(
            new Chunker(1000)
                .describe(
                    TestSegments.STREAM,
                    seq,
                    2000,
                    PRODUCED + 2000 * (seq - 10),
                    false,
                    0,
                    bytes)));
  }

  @Test
  void theParentIsBehindOnceTheNextHeaderIsOverdueAgainstTheFastestPathWhateverTheClocks() {
    long skew = 5000; // this node's clock runs 5 s ahead of the origin's
    headerArrives(10, PRODUCED + 300 + skew);
    headerArrives(11, PRODUCED + 2000 + 200 + skew);
    long due = PRODUCED + 4000 + 200 + skew; // segment 12, by the fastest path seen (200 ms)
    assertThat(GapFiller.parentBehind(store, due + GapFiller.BEHIND_MS)).isFalse();
    assertThat(GapFiller.parentBehind(store, due + GapFiller.BEHIND_MS + 1)).isTrue();
  }

  @Test
  void aParentThatFallsFurtherBehindWithEverySegmentIsCaughtThoughItNeverGoesQuiet() {
    // Each header 600 ms later than the one before: 200, 800, 1400 ms after production; the next
    // would come 2000 ms after it was produced, and is taken as overdue 1200 ms after (the fastest
    // 200 ms + BEHIND_MS).
    headerArrives(10, PRODUCED + 200);
    headerArrives(11, PRODUCED + 2000 + 800);
    headerArrives(12, PRODUCED + 4000 + 1400);
    assertThat(GapFiller.parentBehind(store, PRODUCED + 6000 + 1200)).isFalse();
    assertThat(GapFiller.parentBehind(store, PRODUCED + 6000 + 1201)).isTrue();
  }

  @Test
  void nothingHeldIsNeverBehind() {
    assertThat(GapFiller.parentBehind(store, PRODUCED + 60_000)).isFalse();
  }
}

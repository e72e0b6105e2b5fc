package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.TestSegments;
import dev.waterfall.relay.store.SegmentStore;
import dev.waterfall.relay.store.StoreLimits;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class ForwarderTest {
  private final SegmentStore store =
      new SegmentStore(
          TestSegments.SIGNER.verifier(),
          new StoreLimits(60_000, 8 << 20, 6_000),
          Clock.systemUTC());

  private void segment(long seq, int bytes) {
    store.addHeader(
        TestSegments.SIGNER.sign(
            new Chunker(65536)
                .describe(
                    TestSegments.STREAM,
                    seq,
                    2000,
                    System.currentTimeMillis(),
                    false,
                    0,
                    TestSegments.bytes(bytes, seq))));
  }

  @Test
  void aChildMayHaveTwoSecondsOfTheStreamQueuedWhateverItsBitrate() {
    assertThat(Forwarder.highWater(store)).isEqualTo(Forwarder.MIN_HIGH_WATER);
    segment(1, 250_000); // 1 Mbit/s: 250 kB in 2 s is under the floor
    assertThat(Forwarder.highWater(store)).isEqualTo(Forwarder.MIN_HIGH_WATER);
    segment(2, 1_500_000); // 6 Mbit/s: the newest segment sets the rate
    assertThat(Forwarder.highWater(store)).isEqualTo(1_500_000);
  }

  @Test
  void aStreamsRateComesFromTheNewestSegment() {
    assertThat(Forwarder.streamBytesPerSecond(store)).isZero();
    segment(1, 250_000);
    assertThat(Forwarder.streamBytesPerSecond(store)).isEqualTo(125_000.0);
    Forwarder forwarder = new Forwarder(store, 1000, child -> {});
    assertThat(forwarder.uplinkKbps(0)).as("no child, no burst: nothing known").isNull();
  }
}

package dev.waterfall.loadtest.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.loadtest.kit.relays.SyntheticSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdpCountersTest {
  @Test
  void readsTheUdpLineByName() {
    long[] c =
        UdpCounters.parse(
            List.of(
                "Tcp: RtoAlgorithm RtoMin",
                "Tcp: 1 200",
                "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors",
                "Udp: 100 1 7 90 6 0 0 0 0",
                "UdpLite: InDatagrams NoPorts"));
    assertThat(c).containsExactly(100, 1, 7, 90, 6, 0);
    assertThat(UdpCounters.delta(new long[6], c).get("RcvbufErrors").longValue()).isEqualTo(6);
  }

  @Test
  void segmentBytesFollowTheBitrate() {
    assertThat(SyntheticSource.segmentBytes(1500, 2000)).isEqualTo(375_000);
    assertThat(SyntheticSource.segmentBytes(6000, 2000)).isEqualTo(1_500_000);
    assertThat(new SyntheticSource(1500, 2000, 5, 1).next().orElseThrow().bytes()).hasSize(375_000);
  }
}

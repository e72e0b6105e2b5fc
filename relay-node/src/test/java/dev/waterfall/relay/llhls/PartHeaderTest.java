package dev.waterfall.relay.llhls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.relay.segment.SegmentFormatException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartHeaderTest {

  static PartHeader header(int byteLength) {
    int chunks = (byteLength + 65535) / 65536;
    List<byte[]> hashes = new java.util.ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      byte[] h = new byte[32];
      Arrays.fill(h, (byte) i);
      hashes.add(h);
    }
    byte[] init = new byte[32];
    init[0] = 7;
    return new PartHeader(
        "live", 9001, 77, 3, 333_333, true, init, 1_765_000_000_000L, byteLength, 65536, hashes);
  }

  @Test
  void roundTripsThroughItsCanonicalBytes() {
    PartHeader h = header(200_000);
    byte[] bytes = h.encode();
    assertThat(bytes[0]).isEqualTo((byte) 2);
    assertThat(bytes[1]).isEqualTo((byte) 1);
    assertThat(bytes).hasSize(77 + 4 + 4 * 32);
    PartHeader back = PartHeader.decode(bytes);
    assertThat(back).isEqualTo(h);
    assertThat(back.chunkLength(3)).isEqualTo(200_000 - 3 * 65536);
    assertThat(back.seconds()).isEqualTo(0.333333);
  }

  @Test
  void decodingIsStrict() {
    byte[] bytes = header(1000).encode();
    assertThatThrownBy(() -> PartHeader.decode(Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(SegmentFormatException.class);
    assertThatThrownBy(() -> PartHeader.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(SegmentFormatException.class);
    byte[] segmentHeader = bytes.clone();
    segmentHeader[0] = 1; // a version-1 segment header's signature never covers a part
    assertThatThrownBy(() -> PartHeader.decode(segmentHeader))
        .hasMessageContaining("not a part header");
    byte[] flags = bytes.clone();
    flags[4 + 4 + 8 + 8 + 2 + 4] = 3; // an unknown flag bit
    assertThatThrownBy(() -> PartHeader.decode(flags)).hasMessageContaining("flags");
  }

  @Test
  void refusesAHashCountThatDisagreesWithTheLength() {
    PartHeader h = header(1000);
    assertThatThrownBy(
            () ->
                new PartHeader(
                    "live", 1, 1, 0, 1, false, new byte[32], 0, 70_000, 65536, h.chunkHashes()))
        .hasMessageContaining("expected 2 chunk hashes");
  }
}

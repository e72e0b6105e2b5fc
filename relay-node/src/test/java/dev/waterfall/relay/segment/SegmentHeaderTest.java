package dev.waterfall.relay.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SegmentHeaderTest {

  private static List<byte[]> hashes(int count) {
    List<byte[]> hashes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] hash = new byte[32];
      Arrays.fill(hash, (byte) (i + 1));
      hashes.add(hash);
    }
    return hashes;
  }

  private static SegmentHeader sample() {
    return new SegmentHeader("ab", 7, 2000, 100, 64, hashes(2), 1000, true, 3);
  }

  @Test
  @DisplayName("the canonical bytes are laid out exactly as docs/protocol.md says")
  void exactLayout() {
    byte[] encoded = sample().encode();
    String hex = HexFormat.of().formatHex(encoded, 0, 44);
    assertThat(hex)
        .isEqualTo(
            "01"
                + "0002"
                + "6162"
                + "0000000000000007"
                + "000007d0"
                + "00000064"
                + "00000040"
                + "00000000000003e8"
                + "01"
                + "0000000000000003"
                + "0002");
    assertThat(encoded).hasSize(44 + 2 * 32);
    assertThat(encoded[44]).isEqualTo((byte) 1);
    assertThat(encoded[44 + 32]).isEqualTo((byte) 2);
  }

  @Test
  void roundTrips() {
    SegmentHeader header = sample();
    assertThat(SegmentHeader.decode(header.encode())).isEqualTo(header).hasSameHashCodeAs(header);
  }

  @Test
  @DisplayName("equality compares hash contents, not array identity")
  void equalityByContent() {
    assertThat(sample()).isEqualTo(sample()).hasSameHashCodeAs(sample());
    SegmentHeader other =
        new SegmentHeader(
            "ab", 7, 2000, 100, 64, List.of(new byte[32], hashes(2).get(1)), 1000, true, 3);
    assertThat(other).isNotEqualTo(sample());
  }

  @Test
  @DisplayName("hashes handed in or out are copies")
  void defensiveCopies() {
    List<byte[]> hashes = hashes(2);
    SegmentHeader header = new SegmentHeader("ab", 7, 2000, 100, 64, hashes, 1000, false, 0);
    hashes.get(0)[0] = 99;
    header.chunkHashes().get(0)[0] = 99;
    header.chunkHash(0)[0] = 99;
    assertThat(header.chunkHash(0)[0]).isEqualTo((byte) 1);
  }

  @Test
  void chunkGeometry() {
    SegmentHeader header = sample();
    assertThat(header.chunkCount()).isEqualTo(2);
    assertThat(header.chunkOffset(1)).isEqualTo(64);
    assertThat(header.chunkLength(0)).isEqualTo(64);
    assertThat(header.chunkLength(1)).isEqualTo(36);
    assertThat(SegmentHeader.chunkCount(65536, 65536)).isEqualTo(1);
    assertThat(SegmentHeader.chunkCount(65537, 65536)).isEqualTo(2);
  }

  @Test
  void rejectsInvalidFields() {
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 2000, 100, 64, hashes(3), 1000, false, 0),
        "expected 2 chunk hashes");
    assertInvalid(
        () -> new SegmentHeader("x".repeat(65), 7, 2000, 100, 64, hashes(2), 1000, false, 0),
        "stream");
    assertInvalid(
        () -> new SegmentHeader("", 7, 2000, 100, 64, hashes(2), 1000, false, 0), "stream");
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 2000, 100, 0, hashes(2), 1000, false, 0), "chunkSize");
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 2000, 100, 65537, hashes(1), 1000, false, 0), "chunkSize");
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 2000, 0, 64, hashes(0), 1000, false, 0), "byteLength");
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 2000, (64 << 20) + 1, 65536, hashes(1025), 1000, false, 0),
        "byteLength");
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 2000, 2000, 1, hashes(2000), 1000, false, 0),
        "more than 1024");
    assertInvalid(
        () -> new SegmentHeader("ab", -1, 2000, 100, 64, hashes(2), 1000, false, 0), "sequence");
    assertInvalid(
        () -> new SegmentHeader("ab", 1L << 53, 2000, 100, 64, hashes(2), 1000, false, 0),
        "sequence");
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 0, 100, 64, hashes(2), 1000, false, 0), "durationMillis");
    assertInvalid(
        () -> new SegmentHeader("ab", 7, 2000, 100, 64, hashes(2), 1000, true, 0), "discontinuity");
    assertInvalid(
        () ->
            new SegmentHeader(
                "ab", 7, 2000, 100, 64, List.of(new byte[31], new byte[32]), 1000, false, 0),
        "32 bytes");
    assertInvalid(
        () -> new SegmentHeader("a\uD800", 7, 2000, 100, 64, hashes(2), 1000, false, 0), "Unicode");
  }

  @Test
  void rejectsMalformedBytes() {
    byte[] good = sample().encode();
    assertInvalid(() -> SegmentHeader.decode(Arrays.copyOf(good, good.length - 1)), "hashes");
    assertInvalid(() -> SegmentHeader.decode(Arrays.copyOf(good, good.length + 1)), "hashes");
    assertInvalid(() -> SegmentHeader.decode(Arrays.copyOf(good, 20)), "truncated");
    assertInvalid(() -> SegmentHeader.decode(new byte[0]), "truncated");
    assertInvalid(() -> SegmentHeader.decode(patched(good, 0, 2)), "version");
    assertInvalid(() -> SegmentHeader.decode(patched(good, 33, 3)), "flags");
    assertInvalid(() -> SegmentHeader.decode(patched(good, 3, 0xFF)), "UTF-8");
    assertInvalid(() -> SegmentHeader.decode(patched(good, 1, 0xFF)), "stream name");
    // byteLength 200 with two hashes of 64-byte chunks: the count no longer matches.
    assertInvalid(() -> SegmentHeader.decode(patched(good, 20, 200)), "expected 4 chunk hashes");
    byte[] tooMany = ByteBuffer.wrap(good.clone()).putShort(42, (short) 2000).array();
    assertInvalid(() -> SegmentHeader.decode(tooMany), "limit 1024");
  }

  private static byte[] patched(byte[] bytes, int index, int value) {
    byte[] copy = bytes.clone();
    copy[index] = (byte) value;
    return copy;
  }

  private static void assertInvalid(Runnable action, String messagePart) {
    assertThatThrownBy(action::run)
        .isInstanceOf(SegmentFormatException.class)
        .hasMessageContaining(messagePart);
  }
}

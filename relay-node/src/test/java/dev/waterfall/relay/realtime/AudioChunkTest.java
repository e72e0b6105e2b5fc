package dev.waterfall.relay.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("rt-audio chunk messages")
class AudioChunkTest {

  @Test
  @DisplayName("the documented bytes of one chunk")
  void knownBytes() {
    AudioChunk c =
        new AudioChunk(true, 20_000, 20_000, 1_763_700_000_000L, new byte[] {(byte) 0xfc, 1, 2});
    String hex = HexFormat.of().formatHex(c.encode());
    // version 1, key, t = 20000 µs, d = 20000 µs, encodedAt, payload fc0102 (the example in
    // docs/protocol.md)
    assertThat(hex)
        .isEqualTo("0101" + "0000000000004e20" + "00004e20" + "0000019aa4b64500" + "fc0102");
    assertThat(AudioChunk.decode(c.encode())).isEqualTo(c);
  }

  @Test
  @DisplayName("malformed messages are rejected with a code")
  void rejects() {
    byte[] good = new AudioChunk(false, 5, 0, 7, new byte[10]).encode();
    assertThat(code(new byte[0])).isEqualTo("empty");
    assertThat(code(new byte[] {1})).isEqualTo("truncated");
    assertThat(code(java.util.Arrays.copyOf(good, AudioChunk.HEADER_BYTES))).isEqualTo("truncated");
    byte[] v = good.clone();
    v[0] = 2;
    assertThat(code(v)).isEqualTo("unknown-version");
    byte[] t = good.clone();
    t[1] = 3;
    assertThat(code(t)).isEqualTo("unknown-type");
    byte[] ts = good.clone();
    ts[2] = (byte) 0x80; // a timestamp over 2^53 − 1
    assertThat(code(ts)).isEqualTo("bad-value");
    byte[] d = good.clone();
    d[10] = 1; // duration 16 s
    assertThat(code(d)).isEqualTo("bad-value");
    assertThat(code(new byte[AudioChunk.MAX_MESSAGE + 1])).isEqualTo("oversized");
    assertThat(
            AudioChunk.decode(
                    new AudioChunk(true, 0, 0, 0, new byte[AudioChunk.MAX_PAYLOAD]).encode())
                .payload())
        .hasSize(AudioChunk.MAX_PAYLOAD);
    assertThatThrownBy(() -> new AudioChunk(true, 0, 0, 0, new byte[AudioChunk.MAX_PAYLOAD + 1]))
        .isInstanceOf(AudioChunk.Rejected.class);
  }

  static String code(byte[] m) {
    try {
      AudioChunk.decode(m);
      return null;
    } catch (AudioChunk.Rejected e) {
      return e.code;
    }
  }
}

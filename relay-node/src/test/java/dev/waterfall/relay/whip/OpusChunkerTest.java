package dev.waterfall.relay.whip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.realtime.AudioChunk;
import io.github.jaredmdobson.concentus.OpusDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OpusChunkerTest {
  private final AtomicLong now = new AtomicLong(1_763_700_000_000L);
  private final List<byte[]> out = new ArrayList<>();
  private final OpusChunker chunker = new OpusChunker(now::get, out::add);

  /**
   * 10 ms of a 440 Hz tone, 16-bit little endian, interleaved, as a remote track's sink hands it.
   */
  private static byte[] tone(int rate, int channels, long firstSample) {
    int frames = rate / 100;
    byte[] b = new byte[frames * channels * 2];
    for (int i = 0; i < frames; i++) {
      short s = (short) (8000 * Math.sin(2 * Math.PI * 440 * (firstSample + i) / rate));
      for (int c = 0; c < channels; c++) {
        int at = (i * channels + c) * 2;
        b[at] = (byte) s;
        b[at + 1] = (byte) (s >> 8);
      }
    }
    return b;
  }

  @Test
  void twoTenMillisecondFramesMakeOneTwentyMillisecondChunkTimedBySamples() {
    for (int f = 0; f < 10; f++) {
      now.addAndGet(10);
      chunker.pcm(tone(48000, 2, f * 480L), 16, 48000, 2, 480);
    }
    assertThat(out).hasSize(5);
    for (int i = 0; i < out.size(); i++) {
      AudioChunk c = AudioChunk.decode(out.get(i));
      assertThat(c.timestampMicros()).isEqualTo(i * 20_000L);
      assertThat(c.durationMicros()).isEqualTo(20_000);
      assertThat(c.key()).isTrue();
      assertThat(c.encodedAtMillis()).isEqualTo(1_763_700_000_000L + 20 * (i + 1));
      assertThat(c.payload().length).as("48 kbps: ~120 bytes per 20 ms").isBetween(20, 400);
    }
  }

  @Test
  void theChunksAreOpusThatDecodesBackToTheTone() throws Exception {
    for (int f = 0; f < 100; f++) {
      chunker.pcm(tone(48000, 1, f * 480L), 16, 48000, 1, 480);
    }
    OpusDecoder decoder = new OpusDecoder(48000, 1);
    short[] pcm = new short[960];
    double energy = 0;
    for (byte[] m : out.subList(10, out.size())) { // past the encoder's start-up
      byte[] p = AudioChunk.decode(m).payload();
      int n = decoder.decode(p, 0, p.length, pcm, 0, 960, false);
      assertThat(n).isEqualTo(960);
      for (int i = 0; i < n; i++) {
        energy += (double) pcm[i] * pcm[i];
      }
    }
    double rms = Math.sqrt(energy / (960.0 * (out.size() - 10)));
    assertThat(rms).as("a 8000-amplitude sine has RMS ~5657").isBetween(4000.0, 7000.0);
  }

  @Test
  void aFormatChangeStartsAFreshEncoderAndTimestampsKeepRising() {
    chunker.pcm(tone(48000, 2, 0), 16, 48000, 2, 480);
    chunker.pcm(tone(48000, 2, 480), 16, 48000, 2, 480);
    chunker.pcm(tone(16000, 1, 0), 16, 16000, 1, 160); // half a frame at the new format
    chunker.pcm(tone(16000, 1, 160), 16, 16000, 1, 160);
    assertThat(out).hasSize(2);
    assertThat(AudioChunk.decode(out.get(1)).timestampMicros()).isEqualTo(20_000);
  }

  @Test
  void pcmItCannotEncodeIsDroppedAndCounted() {
    chunker.pcm(tone(44100, 2, 0), 16, 44100, 2, 441);
    chunker.pcm(new byte[960], 8, 48000, 1, 960);
    chunker.pcm(new byte[10], 16, 48000, 2, 480); // shorter than it says
    assertThat(out).isEmpty();
    assertThat(chunker.refused()).isEqualTo(3);
  }

  @Test
  void moreThanTwoChannelsAreCutToStereo() {
    for (int f = 0; f < 4; f++) {
      chunker.pcm(tone(48000, 6, f * 480L), 16, 48000, 6, 480);
    }
    assertThat(out).hasSize(2);
  }
}

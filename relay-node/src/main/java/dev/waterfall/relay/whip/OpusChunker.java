package dev.waterfall.relay.whip;

import dev.waterfall.relay.realtime.AudioChunk;
import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the WHIP publisher's decoded audio (16-bit PCM in 10 ms frames, as libwebrtc hands a remote
 * track's sink) into the tree's {@code rt-audio} chunks: Opus at {@value #BITRATE} bps in {@value
 * #FRAME_MS} ms frames, as the pages' WebCodecs encoder makes them (docs/protocol.md section 5).
 * Encoded in pure Java (Concentus) because webrtc-java 0.14.0 gives no access to the encoded frames
 * it received, and a received audio track cannot be sent on. Timestamps count the samples encoded
 * (20 000 µs per chunk from 0), so they never jump with the wall clock; {@code encodedAtMillis} is
 * the wall clock when the chunk left the encoder. Not thread-safe: one caller (libwebrtc's audio
 * thread).
 */
final class OpusChunker {
  private static final Logger LOG = LoggerFactory.getLogger(OpusChunker.class);
  static final int FRAME_MS = 20;
  static final int BITRATE = 48_000;

  /** The rates an Opus encoder takes; libwebrtc's mixer hands 48 kHz for an Opus stream. */
  private static final int[] RATES = {8000, 12000, 16000, 24000, 48000};

  private final LongSupplier wallClock;
  private final Consumer<byte[]> out;
  private final byte[] packet = new byte[AudioChunk.MAX_PAYLOAD];
  private OpusEncoder encoder;
  private int rate;
  private int channels;

  /** Interleaved samples waiting for a whole frame. */
  private short[] frame;

  private int filled;
  private long nextTimestampMicros;
  private volatile long chunks;
  private volatile long refused;

  OpusChunker(LongSupplier wallClock, Consumer<byte[]> out) {
    this.wallClock = wallClock;
    this.out = out;
  }

  /**
   * One frame of the track's sink: {@code frames} samples per channel, interleaved, native byte
   * order (little endian here). PCM of another sample size, or at a rate Opus does not take, is
   * dropped and counted.
   */
  void pcm(byte[] data, int bitsPerSample, int sampleRate, int channelCount, int frames) {
    if (bitsPerSample != 16
        || channelCount < 1
        || frames < 1
        || !supported(sampleRate)
        || data.length < frames * channelCount * 2) {
      if (refused++ == 0) {
        LOG.warn(
            "WHIP audio of {} bits at {} Hz, {} channels cannot be encoded: dropped",
            bitsPerSample,
            sampleRate,
            channelCount);
      }
      return;
    }
    // Opus chunks carry mono or stereo; further channels are dropped
    int ch = Math.min(2, channelCount);
    if (encoder == null || sampleRate != rate || ch != channels) {
      open(sampleRate, ch);
    }
    for (int i = 0; i < frames; i++) {
      for (int c = 0; c < ch; c++) {
        int at = (i * channelCount + c) * 2;
        frame[filled++] = (short) ((data[at] & 0xff) | (data[at + 1] << 8));
      }
      if (filled == frame.length) {
        encode();
      }
    }
  }

  private void open(int sampleRate, int ch) {
    try {
      encoder = new OpusEncoder(sampleRate, ch, OpusApplication.OPUS_APPLICATION_AUDIO);
    } catch (OpusException e) {
      throw new IllegalStateException(
          "Opus encoder at " + sampleRate + " Hz: " + e.getMessage(), e);
    }
    encoder.setBitrate(BITRATE);
    // Complexity 5 of 10: a once-per-stream encode in pure Java; OpusChunkerTest prints its cost (a
    // few % of a core).
    encoder.setComplexity(5);
    rate = sampleRate;
    channels = ch;
    frame = new short[sampleRate / 1000 * FRAME_MS * ch];
    filled = 0; // a partial frame at the old format is dropped: under 20 ms
  }

  private void encode() {
    filled = 0;
    int n;
    try {
      n = encoder.encode(frame, 0, frame.length / channels, packet, 0, packet.length);
    } catch (OpusException e) {
      refused++;
      LOG.debug("Opus encode failed: {}", e.getMessage());
      return;
    }
    long timestamp = nextTimestampMicros;
    nextTimestampMicros += FRAME_MS * 1000L;
    if (n < 1) {
      return;
    }
    chunks++;
    out.accept(
        new AudioChunk(
                true,
                timestamp,
                FRAME_MS * 1000,
                wallClock.getAsLong(),
                java.util.Arrays.copyOf(packet, n))
            .encode());
  }

  private static boolean supported(int sampleRate) {
    for (int r : RATES) {
      if (r == sampleRate) {
        return true;
      }
    }
    return false;
  }

  /** Chunks made so far. */
  long chunks() {
    return chunks;
  }

  /** PCM frames or encodes refused so far (unsupported format, encoder error). */
  long refused() {
    return refused;
  }
}

package dev.waterfall.relay.realtime;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One encoded audio chunk (a WebCodecs {@code EncodedAudioChunk}, Opus) as it travels on an {@code
 * rt-audio} DataChannel, one chunk per message (docs/protocol.md "Realtime audio chunks").
 * Big-endian:
 *
 * <pre>
 * 0   u8   version          1
 * 1   u8   type             1 key, 2 delta (Opus chunks are all key)
 * 2   u64  timestampMicros  the chunk's media timestamp, 0..2^53−1
 * 10  u32  durationMicros   0 (unknown) .. 1 000 000
 * 14  u64  encodedAtMillis  wall clock (Unix ms) where it was encoded, 0..2^53−1: for latency estimates only
 * 22  …    payload          1..{@value #MAX_PAYLOAD} bytes, the rest of the message
 * </pre>
 *
 * A booster checks each message with {@link #decode} and forwards the original bytes unchanged.
 */
public record AudioChunk(
    boolean key, long timestampMicros, int durationMicros, long encodedAtMillis, byte[] payload) {
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 22;

  /** Opus packets are at most 1275 bytes per 20 ms frame; 4000 leaves room for 60 ms and stereo. */
  public static final int MAX_PAYLOAD = 4000;

  public static final int MAX_MESSAGE = HEADER_BYTES + MAX_PAYLOAD;
  public static final int MAX_DURATION_MICROS = 1_000_000;
  static final long MAX_U53 = (1L << 53) - 1;

  /** A message that is not one valid chunk; {@code code} is short and meant for counters. */
  public static final class Rejected extends IllegalArgumentException {
    public final String code;

    Rejected(String code, String detail) {
      super(code + ": " + detail);
      this.code = code;
    }
  }

  public AudioChunk {
    if (payload == null || payload.length < 1 || payload.length > MAX_PAYLOAD) {
      throw new Rejected(
          "bad-length", "payload of " + (payload == null ? 0 : payload.length) + " bytes");
    }
    if (timestampMicros < 0
        || timestampMicros > MAX_U53
        || encodedAtMillis < 0
        || encodedAtMillis > MAX_U53) {
      throw new Rejected("bad-value", "timestamp or encodedAt outside 0..2^53−1");
    }
    if (durationMicros < 0 || durationMicros > MAX_DURATION_MICROS) {
      throw new Rejected("bad-value", "duration " + durationMicros + " µs");
    }
  }

  /** Checks and parses one message. */
  public static AudioChunk decode(byte[] m) {
    if (m == null || m.length == 0) {
      throw new Rejected("empty", "no bytes");
    }
    if (m.length > MAX_MESSAGE) {
      throw new Rejected("oversized", m.length + " bytes, at most " + MAX_MESSAGE);
    }
    if ((m[0] & 0xff) != VERSION) {
      throw new Rejected("unknown-version", "version " + (m[0] & 0xff));
    }
    if (m.length < 2) {
      throw new Rejected("truncated", m.length + " bytes");
    }
    int type = m[1] & 0xff;
    if (type != 1 && type != 2) {
      throw new Rejected("unknown-type", "type " + type);
    }
    if (m.length <= HEADER_BYTES) {
      throw new Rejected("truncated", m.length + " bytes, a chunk needs " + (HEADER_BYTES + 1));
    }
    ByteBuffer b = ByteBuffer.wrap(m);
    long timestamp = b.getLong(2);
    long duration = Integer.toUnsignedLong(b.getInt(10));
    long encodedAt = b.getLong(14);
    if (duration > MAX_DURATION_MICROS) {
      throw new Rejected("bad-value", "duration " + duration + " µs");
    }
    return new AudioChunk(
        type == 1,
        timestamp,
        (int) duration,
        encodedAt,
        Arrays.copyOfRange(m, HEADER_BYTES, m.length));
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    b.put((byte) VERSION)
        .put((byte) (key ? 1 : 2))
        .putLong(timestampMicros)
        .putInt(durationMicros)
        .putLong(encodedAtMillis)
        .put(payload);
    return b.array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AudioChunk c
        && c.key == key
        && c.timestampMicros == timestampMicros
        && c.durationMicros == durationMicros
        && c.encodedAtMillis == encodedAtMillis
        && Arrays.equals(c.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(timestampMicros) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "AudioChunk["
        + (key ? "key" : "delta")
        + " t="
        + timestampMicros
        + "µs d="
        + durationMicros
        + "µs "
        + payload.length
        + " B]";
  }
}

package dev.waterfall.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a stream's tree carries (docs/protocol.md "Vocabulary"; VocabularyTest checks both it and
 * the pages' p2p/vocabulary.js against those tables).
 */
public enum StreamType {
  /** Signed HLS segments (and LL-HLS parts) over DataChannels; the default. */
  HLS("hls"),
  /** Media tracks forwarded page to page, sub-second. */
  REALTIME("realtime");

  private static final Map<String, StreamType> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(StreamType::wire, Function.identity()));

  private final String wire;

  StreamType(String wire) {
    this.wire = wire;
  }

  /** As it travels in a message. */
  public String wire() {
    return wire;
  }

  /** Whether {@code wire} names this one. */
  public boolean is(String wire) {
    return this.wire.equals(wire);
  }

  /** The one {@code wire} names, or null for a word this version does not know. */
  public static StreamType fromWire(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }
}

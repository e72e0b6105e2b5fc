package dev.waterfall.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Why a node reports a neighbour ({@code report}'s {@code reason}) (docs/protocol.md "Vocabulary";
 * VocabularyTest checks both it and the pages' p2p/vocabulary.js against those tables).
 */
public enum ReportReason {
  /** My parent is too slow: no link, or an open link supplying too little (with its share). */
  STARVING("starving"),
  /** My parent sent data that failed verification. */
  BAD_DATA("bad-data"),
  /** My child cannot keep up (sent by the parent). */
  SLOW_CHILD("slow-child");

  private static final Map<String, ReportReason> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(ReportReason::wire, Function.identity()));

  private final String wire;

  ReportReason(String wire) {
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

  /** Why the node a report moves is told it moved: {@code reported-<this reason>}. */
  public ReparentReason reparent() {
    return ReparentReason.fromWire("reported-" + wire);
  }

  /** The one {@code wire} names, or null for a word this version does not know. */
  public static ReportReason fromWire(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }
}

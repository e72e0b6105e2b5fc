package dev.waterfall.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Why a node was moved ({@code reparent}'s {@code reason}) (docs/protocol.md "Vocabulary";
 * VocabularyTest checks both it and the pages' p2p/vocabulary.js against those tables).
 */
public enum ReparentReason {
  /** The parent left the tree. */
  PARENT_LEFT("parent-left"),
  /** A joining booster took this place or the parent's. */
  BOOSTER_JOINED("booster-joined"),
  /** A joining viewer took this place or the parent's. */
  VIEWER_JOINED("viewer-joined"),
  /** The parent's slots shrank. */
  CAPACITY_CHANGED("capacity-changed"),
  /** This node reported its parent starving. */
  REPORTED_STARVING("reported-starving"),
  /** This node reported its parent for bad data. */
  REPORTED_BAD_DATA("reported-bad-data"),
  /** This node's parent reported it slow. */
  REPORTED_SLOW_CHILD("reported-slow-child"),
  /** Same parent, a new connection: connect again. */
  ORIGIN_RECONNECTED("origin-reconnected");

  private static final Map<String, ReparentReason> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(ReparentReason::wire, Function.identity()));

  private final String wire;

  ReparentReason(String wire) {
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
  public static ReparentReason fromWire(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }
}

package dev.waterfall.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The role a node joins with (docs/protocol.md "Vocabulary"; VocabularyTest checks both it and the
 * pages' p2p/vocabulary.js against those tables).
 */
public enum Role {
  /** The stream's root: the publisher's relay, admitted with the publish key. */
  ORIGIN("origin"),
  /** A volunteer relay, admitted with a booster token. */
  BOOSTER("booster"),
  /** A page (or any client) that plays the stream; a private stream's needs a viewer token. */
  VIEWER("viewer");

  private static final Map<String, Role> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(Role::wire, Function.identity()));

  private final String wire;

  Role(String wire) {
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
  public static Role fromWire(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }
}

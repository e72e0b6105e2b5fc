package dev.waterfall.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An {@code error} message's code: what each means, and whether the socket stays open, is in
 * docs/protocol.md's {@code error} table, against which VocabularyTest checks this and the pages'
 * p2p/vocabulary.js.
 */
public enum ErrorCode {
  MALFORMED_JSON("malformed-json"),
  UNSUPPORTED_VERSION("unsupported-version"),
  INVALID_MESSAGE("invalid-message"),
  UNKNOWN_TYPE("unknown-type"),
  UNEXPECTED_TYPE("unexpected-type"),
  TOO_LARGE("too-large"),
  RATE_LIMITED("rate-limited"),
  BINARY_NOT_SUPPORTED("binary-not-supported"),
  NOT_JOINED("not-joined"),
  ALREADY_JOINED("already-joined"),
  UNKNOWN_STREAM("unknown-stream"),
  BAD_CREDENTIAL("bad-credential"),
  ORIGIN_TAKEN("origin-taken"),
  WRONG_STREAM_TYPE("wrong-stream-type"),
  PRIVATE_STREAM("private-stream"),
  TOO_MANY_SOCKETS("too-many-sockets"),
  TOO_MANY_JOINS("too-many-joins"),
  STREAM_FULL("stream-full"),
  NO_SLOT("no-slot"),
  EVICTED("evicted"),
  UNKNOWN_NODE("unknown-node"),
  ALREADY_CONNECTED("already-connected"),
  NOT_NEIGHBOUR("not-neighbour"),
  REPORT_IGNORED("report-ignored"),
  SILENT("silent"),
  JOIN_TIMEOUT("join-timeout"),
  KEY_ROTATED("key-rotated"),
  STREAM_DELETED("stream-deleted"),
  INTERNAL("internal");

  private static final Map<String, ErrorCode> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(ErrorCode::wire, Function.identity()));

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public boolean is(String wire) {
    return this.wire.equals(wire);
  }

  public static ErrorCode fromWire(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }
}

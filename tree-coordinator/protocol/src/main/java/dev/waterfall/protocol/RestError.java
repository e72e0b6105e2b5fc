package dev.waterfall.protocol;

/**
 * A REST call's error code, the {@code "error"} of its {@code {"error":…,"message":…}} body: what
 * each means is in docs/protocol.md's "REST error" table, against which VocabularyTest checks this.
 * A vocabulary of its own beside {@link ErrorCode} (the signalling {@code error} message's),
 * sharing four words with it: {@code malformed-json}, {@code unknown-stream}, {@code too-large},
 * {@code internal}.
 */
public enum RestError {
  MALFORMED_JSON("malformed-json"),
  INVALID_STREAM("invalid-stream"),
  INVALID_DISCONNECT("invalid-disconnect"),
  INVALID_TTL("invalid-ttl"),
  NOT_PRIVATE("not-private"),
  BAD_REQUEST("bad-request"),
  UNAUTHORIZED("unauthorized"),
  UNKNOWN_STREAM("unknown-stream"),
  UNKNOWN_TOKEN("unknown-token"),
  NOT_FOUND("not-found"),
  STREAM_EXISTS("stream-exists"),
  TOO_LARGE("too-large"),
  TOO_MANY_DASHBOARDS("too-many-dashboards"),
  INTERNAL("internal");

  private final String wire;

  RestError(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}

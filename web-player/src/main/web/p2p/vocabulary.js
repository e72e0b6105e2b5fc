// The protocol's words, as they travel (docs/protocol.md "Vocabulary" and the `error` table; the coordinator's and
// relays' Java enums are the same: Role, StreamType, ReportReason, ReparentReason, ErrorCode). VocabularyTest checks
// this module against those tables.

/** The role a node joins with. */
export const Role = Object.freeze({
  ORIGIN: 'origin',
  BOOSTER: 'booster',
  VIEWER: 'viewer',
});

/** What a stream's tree carries. */
export const StreamType = Object.freeze({
  HLS: 'hls',
  REALTIME: 'realtime',
});

/** Why a node reports a neighbour (`report`'s `reason`). */
export const ReportReason = Object.freeze({
  STARVING: 'starving',
  BAD_DATA: 'bad-data',
  SLOW_CHILD: 'slow-child',
});

/** Why a node was moved (`reparent`'s `reason`). */
export const ReparentReason = Object.freeze({
  PARENT_LEFT: 'parent-left',
  BOOSTER_JOINED: 'booster-joined',
  VIEWER_JOINED: 'viewer-joined',
  CAPACITY_CHANGED: 'capacity-changed',
  REPORTED_STARVING: 'reported-starving',
  REPORTED_BAD_DATA: 'reported-bad-data',
  REPORTED_SLOW_CHILD: 'reported-slow-child',
  ORIGIN_RECONNECTED: 'origin-reconnected',
});

/** An `error` message's code (what each means: the `error` table). */
export const ErrorCode = Object.freeze({
  MALFORMED_JSON: 'malformed-json',
  UNSUPPORTED_VERSION: 'unsupported-version',
  INVALID_MESSAGE: 'invalid-message',
  UNKNOWN_TYPE: 'unknown-type',
  UNEXPECTED_TYPE: 'unexpected-type',
  TOO_LARGE: 'too-large',
  RATE_LIMITED: 'rate-limited',
  BINARY_NOT_SUPPORTED: 'binary-not-supported',
  NOT_JOINED: 'not-joined',
  ALREADY_JOINED: 'already-joined',
  UNKNOWN_STREAM: 'unknown-stream',
  BAD_CREDENTIAL: 'bad-credential',
  ORIGIN_TAKEN: 'origin-taken',
  WRONG_STREAM_TYPE: 'wrong-stream-type',
  PRIVATE_STREAM: 'private-stream',
  TOO_MANY_SOCKETS: 'too-many-sockets',
  TOO_MANY_JOINS: 'too-many-joins',
  STREAM_FULL: 'stream-full',
  NO_SLOT: 'no-slot',
  EVICTED: 'evicted',
  UNKNOWN_NODE: 'unknown-node',
  ALREADY_CONNECTED: 'already-connected',
  NOT_NEIGHBOUR: 'not-neighbour',
  REPORT_IGNORED: 'report-ignored',
  SILENT: 'silent',
  JOIN_TIMEOUT: 'join-timeout',
  KEY_ROTATED: 'key-rotated',
  STREAM_DELETED: 'stream-deleted',
  INTERNAL: 'internal',
});

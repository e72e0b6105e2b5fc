package dev.waterfall.relay.store;

/**
 * What {@link SegmentStore#addHeader} did. Forward the header to children only on {@link #STORED}.
 */
public enum HeaderResult {
  /** New, verified and kept. */
  STORED,
  /** The same signed header is already held. */
  DUPLICATE,
  /** Bad signature or another stream's header: report the sender. */
  REJECTED,
  /**
   * A different, validly signed header for a sequence already held (an origin restarted its
   * numbering?).
   */
  CONFLICT,
  /** Older than what the store keeps or offers to players; dropped. */
  TOO_OLD
}

package dev.waterfall.relay.store;

/**
 * What {@link SegmentStore#addChunk} did. Forward the chunk to children only on {@link #STORED}.
 */
public enum ChunkResult {
  /** New, verified against the signed header and kept. */
  STORED,
  /** Already held: dropped without hashing. */
  DUPLICATE,
  /** No header held for that sequence (not yet arrived, or evicted). */
  UNKNOWN_SEGMENT,
  /**
   * Index out of range, wrong length or SHA-256 mismatch: report the sender and fetch the chunk
   * elsewhere.
   */
  REJECTED
}

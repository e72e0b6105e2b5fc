package dev.waterfall.relay.store;

import dev.waterfall.relay.segment.SignedHeader;

/**
 * A snapshot of one held segment, for metrics and the fallback logic. Times are the store clock's
 * epoch milliseconds; -1 means "not yet".
 */
public record SegmentStatus(
    SignedHeader signed,
    int chunksReceived,
    int chunkCount,
    long headerAtMillis,
    long firstChunkAtMillis,
    long completeAtMillis) {

  public boolean complete() {
    return chunksReceived == chunkCount;
  }
}

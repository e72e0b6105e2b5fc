package dev.waterfall.relay.store;

import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SignedHeader;
import java.util.BitSet;

/** One segment being filled in. Mutable, guarded by the store's lock. */
final class StoredSegment {

  final SignedHeader signed;
  final SegmentHeader header;

  /**
   * Allocated whole when the header arrives: the signed byteLength is trusted, and chunks land in
   * place.
   */
  final byte[] data;

  final BitSet have;
  final long headerAtMillis;
  int received;
  long firstChunkAtMillis = -1;
  long completeAtMillis = -1;

  StoredSegment(SignedHeader signed, long nowMillis) {
    this.signed = signed;
    this.header = signed.header();
    this.data = new byte[header.byteLength()];
    this.have = new BitSet(header.chunkCount());
    this.headerAtMillis = nowMillis;
  }

  long sequence() {
    return header.sequence();
  }

  boolean complete() {
    return received == header.chunkCount();
  }

  void put(int index, byte[] bytes, long nowMillis) {
    System.arraycopy(bytes, 0, data, header.chunkOffset(index), bytes.length);
    have.set(index);
    received++;
    if (firstChunkAtMillis < 0) {
      firstChunkAtMillis = nowMillis;
    }
    if (complete()) {
      completeAtMillis = nowMillis;
    }
  }

  SegmentStatus status() {
    return new SegmentStatus(
        signed,
        received,
        header.chunkCount(),
        headerAtMillis,
        firstChunkAtMillis,
        completeAtMillis);
  }
}

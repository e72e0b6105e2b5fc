package dev.waterfall.relay.http;

import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.relay.store.ChunkResult;
import dev.waterfall.relay.store.HeaderResult;
import dev.waterfall.relay.store.SegmentStore;
import java.util.ArrayList;
import java.util.List;

/** A store filled the way the origin fills it: sample segments, chunked and signed. */
final class StoreFixture {

  static final String STREAM = "demo";

  /** Key generation is the slow part: one signer for the run. */
  static final SegmentSigner SIGNER = SegmentSigner.generate();

  final SegmentStore store = new SegmentStore(SIGNER.verifier());
  final List<MediaSegment> segments = new ArrayList<>();
  final List<SignedHeader> headers = new ArrayList<>();

  /** {@code count} segments of the sample from sequence {@code first}, every chunk in. */
  static StoreFixture filled(long first, int count) {
    StoreFixture fixture = new StoreFixture();
    SampleSource source = SampleSource.fromClasspath(first);
    for (int i = 0; i < count; i++) {
      fixture.publish(source.next().orElseThrow(), null);
    }
    return fixture;
  }

  static SignedHeader sign(MediaSegment segment) {
    SegmentHeader header =
        Chunker.standard()
            .describe(
                STREAM,
                segment.sequence(),
                segment.durationMillis(),
                System.currentTimeMillis(),
                segment.discontinuity(),
                segment.discontinuitySequence(),
                segment.bytes());
    return SIGNER.sign(header);
  }

  /** Stores the header and the chunks listed in {@code only} (all when null). */
  void publish(MediaSegment segment, List<Integer> only) {
    SignedHeader signed = sign(segment);
    if (store.addHeader(signed) != HeaderResult.STORED) {
      throw new IllegalStateException("header not stored");
    }
    segments.add(segment);
    headers.add(signed);
    List<byte[]> chunks = Chunker.standard().split(segment.bytes());
    for (int i = 0; i < chunks.size(); i++) {
      if ((only == null || only.contains(i))
          && store.addChunk(segment.sequence(), i, chunks.get(i)) != ChunkResult.STORED) {
        throw new IllegalStateException("chunk not stored");
      }
    }
  }

  SegmentStore emptyPeer() {
    return new SegmentStore(SIGNER.verifier());
  }
}

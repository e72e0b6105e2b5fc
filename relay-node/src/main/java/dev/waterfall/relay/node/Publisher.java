package dev.waterfall.relay.node;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.ContentCipher;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.store.SegmentStore;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The origin's first step: cut a segment into chunks, sign its header, keep it, and hand header and
 * chunks to the forwarder, the header first so that every node can verify each chunk the moment it
 * arrives.
 */
final class Publisher {
  private final String stream;
  private final SegmentSigner signer;
  private final SegmentStore store;
  private final Chunker chunker = Chunker.standard();
  private final BiConsumer<byte[], Frame> forward;
  private final LongSupplier clock;

  /** Set for a private stream: segments are sealed before they are hashed and signed. */
  private ContentCipher cipher;

  Publisher(
      String stream,
      SegmentSigner signer,
      SegmentStore store,
      BiConsumer<byte[], Frame> forward,
      LongSupplier clock) {
    this.stream = stream;
    this.signer = signer;
    this.store = store;
    this.forward = forward;
    this.clock = clock;
  }

  void encryptWith(ContentCipher cipher) {
    this.cipher = cipher;
  }

  void publish(MediaSegment segment) {
    long seq = segment.sequence();
    byte[] bytes = cipher == null ? segment.bytes() : cipher.encrypt(seq, segment.bytes());
    SegmentHeader header =
        chunker.describe(
            stream,
            seq,
            segment.durationMillis(),
            clock.getAsLong(),
            segment.discontinuity(),
            segment.discontinuitySequence(),
            bytes);
    SignedHeader signed = signer.sign(header);
    store.addHeader(signed);
    forward(new Frame.Header(signed));
    List<byte[]> chunks = chunker.split(bytes);
    for (int i = 0; i < chunks.size(); i++) {
      store.addChunk(seq, i, chunks.get(i));
      forward(new Frame.Chunk(seq, i, chunks.get(i)));
    }
    store.window().ifPresent(w -> forward(new Frame.Window(w.first(), w.last())));
  }

  /** Hands on {@code frame} encoded, with the frame itself (the lanes choose by it). */
  private void forward(Frame frame) {
    forward.accept(FrameCodec.encode(frame), frame);
  }
}

package dev.waterfall.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.source.SampleSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole data plane without a network: sample → chunk and sign → frames → a relay's store →
 * playlist.
 */
class SamplePipelineTest {

  @Test
  @DisplayName(
      "seven sample segments through frames into a store give a playlist with the loop's discontinuity")
  void sampleThroughFramesIntoAStore() {
    SegmentSigner signer = SegmentSigner.generate();
    SampleSource source = SampleSource.fromClasspath(100);
    MutableClock clock = new MutableClock(0);
    SegmentStore relay = new SegmentStore(signer.verifier(), StoreLimits.defaults(), clock);
    List<byte[]> originals = new ArrayList<>();

    for (int i = 0; i < 7; i++) {
      MediaSegment segment = source.next().orElseThrow();
      originals.add(segment.bytes());
      SegmentHeader header =
          Chunker.standard()
              .describe(
                  "demo",
                  segment.sequence(),
                  segment.durationMillis(),
                  clock.millis(),
                  segment.discontinuity(),
                  segment.discontinuitySequence(),
                  segment.bytes());
      List<byte[]> messages = new ArrayList<>();
      messages.add(FrameCodec.encode(new Frame.Header(signer.sign(header))));
      List<byte[]> chunks = Chunker.standard().split(segment.bytes());
      for (int c = 0; c < chunks.size(); c++) {
        messages.add(FrameCodec.encode(new Frame.Chunk(segment.sequence(), c, chunks.get(c))));
      }
      for (byte[] message : messages) {
        Frame frame = FrameCodec.decode(message);
        if (frame instanceof Frame.Header h) {
          assertThat(relay.addHeader(h.signed())).isEqualTo(HeaderResult.STORED);
        } else if (frame instanceof Frame.Chunk c) {
          assertThat(relay.addChunk(c.sequence(), c.index(), c.payload()))
              .isEqualTo(ChunkResult.STORED);
        }
      }
      clock.advance(segment.durationMillis());
    }

    for (int i = 0; i < 7; i++) {
      assertThat(relay.segmentBytes(100 + i).orElseThrow()).isEqualTo(originals.get(i));
    }
    assertThat(relay.window()).contains(new SequenceRange(100, 106));
    String playlist = new PlaylistBuilder(6).build(relay).orElseThrow();
    assertThat(playlist)
        .isEqualTo(
            """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:101
        #EXT-X-DISCONTINUITY-SEQUENCE:0
        #EXTINF:2.000,
        seg-101.ts
        #EXTINF:2.000,
        seg-102.ts
        #EXTINF:2.000,
        seg-103.ts
        #EXTINF:2.000,
        seg-104.ts
        #EXT-X-DISCONTINUITY
        #EXTINF:2.000,
        seg-105.ts
        #EXTINF:2.000,
        seg-106.ts
        """);
  }
}

package dev.waterfall.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.TestSegments;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaylistBuilderTest {

  private static SegmentHeader segment(
      long sequence, int millis, boolean discontinuity, long discontinuitySequence) {
    return new Chunker(1000)
        .describe(
            "demo",
            sequence,
            millis,
            0,
            discontinuity,
            discontinuitySequence,
            TestSegments.bytes(10, sequence));
  }

  @Test
  void playlistWithADiscontinuity() {
    List<SegmentHeader> segments =
        List.of(
            segment(7, 2000, false, 0),
            segment(8, 2000, false, 0),
            segment(9, 1500, false, 0),
            segment(10, 2001, true, 1),
            segment(11, 2000, false, 1));
    assertThat(new PlaylistBuilder().render(segments))
        .isEqualTo(
            """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:3
        #EXT-X-MEDIA-SEQUENCE:7
        #EXT-X-DISCONTINUITY-SEQUENCE:0
        #EXTINF:2.000,
        seg-7.ts
        #EXTINF:2.000,
        seg-8.ts
        #EXTINF:1.500,
        seg-9.ts
        #EXT-X-DISCONTINUITY
        #EXTINF:2.001,
        seg-10.ts
        #EXTINF:2.000,
        seg-11.ts
        """);
  }

  @Test
  void keepsOnlyTheNewestSegmentsAndCountsTheDiscontinuityOnTheFirst() {
    List<SegmentHeader> segments =
        List.of(
            segment(20, 2000, false, 3), segment(21, 2000, true, 4), segment(22, 2000, false, 4));
    assertThat(new PlaylistBuilder(2).render(segments))
        .isEqualTo(
            """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:21
        #EXT-X-DISCONTINUITY-SEQUENCE:3
        #EXT-X-DISCONTINUITY
        #EXTINF:2.000,
        seg-21.ts
        #EXTINF:2.000,
        seg-22.ts
        """);
  }

  @Test
  void refusesHolesAndEmptyLists() {
    assertThatThrownBy(
            () ->
                new PlaylistBuilder()
                    .render(List.of(segment(1, 2000, false, 0), segment(3, 2000, false, 0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consecutive");
    assertThatThrownBy(() -> new PlaylistBuilder().render(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void buildsFromAStore() {
    SegmentStore store =
        new SegmentStore(
            TestSegments.SIGNER.verifier(), StoreLimits.defaults(), new MutableClock(0));
    PlaylistBuilder builder = new PlaylistBuilder(6);
    assertThat(builder.build(store)).isEmpty();
    List<String> uris = new ArrayList<>();
    for (long s = 0; s < 8; s++) {
      byte[] bytes = TestSegments.bytes(3000, s);
      store.addHeader(TestSegments.signed(s, bytes, 1000));
      List<byte[]> chunks = new Chunker(1000).split(bytes);
      for (int i = 0; i < chunks.size(); i++) {
        store.addChunk(s, i, chunks.get(i));
      }
      uris.add(PlaylistBuilder.segmentUri(s));
    }
    String playlist = builder.build(store).orElseThrow();
    assertThat(playlist).contains("#EXT-X-MEDIA-SEQUENCE:2\n").endsWith("seg-7.ts\n");
    assertThat(playlist.lines().filter(l -> l.startsWith("seg-")))
        .containsExactlyElementsOf(uris.subList(2, 8));
  }
}

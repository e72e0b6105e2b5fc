package dev.waterfall.relay.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlaylistParserTest {

  @Test
  @DisplayName("what ffmpeg -f hls writes")
  void ffmpegPlaylist() {
    MediaPlaylist playlist =
        PlaylistParser.parse(
            """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:7
        #EXTINF:2.000000,
        index7.ts
        #EXTINF:1.966667,
        index8.ts
        #EXT-X-ENDLIST
        """);
    assertThat(playlist.mediaSequence()).isEqualTo(7);
    assertThat(playlist.targetDurationSeconds()).isEqualTo(2);
    assertThat(playlist.endList()).isTrue();
    assertThat(playlist.entries())
        .containsExactly(
            new MediaPlaylist.Entry(7, "index7.ts", 2000, false, 0),
            new MediaPlaylist.Entry(8, "index8.ts", 1967, false, 0));
  }

  @Test
  @DisplayName(
      "discontinuities count from EXT-X-DISCONTINUITY-SEQUENCE; unknown tags, comments, CRLF and a BOM are fine")
  void discontinuitiesAndUnknownTags() {
    MediaPlaylist playlist =
        PlaylistParser.parse(
            "\uFEFF#EXTM3U\r\n#EXT-X-VERSION:6\r\n"
                + "#EXT-X-MEDIA-SEQUENCE:100\r\n#EXT-X-DISCONTINUITY-SEQUENCE:3\r\n# a comment\r\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\r\n#EXTINF:4,title\r\nhttp://cdn/a.ts\r\n"
                + "#EXT-X-DISCONTINUITY\r\n#EXT-X-KEY:METHOD=NONE\r\n#EXTINF:2.5,\r\n\r\nb.ts\r\n"
                + "#EXTINF:2.0005,\r\nc.ts\r\n");
    assertThat(playlist.discontinuitySequence()).isEqualTo(3);
    assertThat(playlist.targetDurationSeconds()).isEqualTo(-1);
    assertThat(playlist.endList()).isFalse();
    assertThat(playlist.entries())
        .containsExactly(
            new MediaPlaylist.Entry(100, "http://cdn/a.ts", 4000, false, 3),
            new MediaPlaylist.Entry(101, "b.ts", 2500, true, 4),
            new MediaPlaylist.Entry(102, "c.ts", 2001, false, 4));
  }

  @Test
  void emptyLivePlaylist() {
    MediaPlaylist playlist = PlaylistParser.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    assertThat(playlist.entries()).isEmpty();
    assertThat(playlist.mediaSequence()).isZero();
  }

  @Test
  @DisplayName("garbage is a PlaylistFormatException that says what is wrong")
  void garbage() {
    assertRejected(null, "no playlist");
    assertRejected("", "#EXTM3U");
    assertRejected("<html>hello</html>", "#EXTM3U");
    assertRejected("#EXTM3U\nseg.ts\n", "line 2: URI 'seg.ts' without #EXTINF");
    assertRejected("#EXTM3U\n#EXTINF:abc,\nseg.ts\n", "line 2: EXTINF duration is not a number");
    assertRejected("#EXTM3U\n#EXTINF:NaN,\nseg.ts\n", "not a number");
    assertRejected("#EXTM3U\n#EXTINF:-1,\nseg.ts\n", "out of range");
    assertRejected("#EXTM3U\n#EXTINF:1e400,\nseg.ts\n", "out of range");
    assertRejected("#EXTM3U\n#EXTINF:2,\n", "without a URI");
    assertRejected("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:x\n", "line 2: not a decimal integer");
    assertRejected("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-4\n", "not a decimal integer");
    assertRejected(
        "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:99999999999999999999\n", "not a decimal integer");
    assertRejected(
        "#EXTM3U\n#EXTINF:2,\na.ts\n#EXT-X-MEDIA-SEQUENCE:4\n", "before the first segment");
    assertRejected("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nlow.m3u8\n", "master playlist");
  }

  private static void assertRejected(String text, String message) {
    assertThatThrownBy(() -> PlaylistParser.parse(text))
        .isInstanceOf(PlaylistFormatException.class)
        .hasMessageContaining(message);
  }
}

package dev.waterfall.relay.llhls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BlockingReloadTest {

  /** Segments 500–502 complete (6 parts each), 503 open with 2 parts. */
  final LlSnapshot s = LlPlaylistTest.store(20).snapshot();

  final LlSettings settings = LlSettings.DEFAULT;

  @Test
  @DisplayName(
      "directives parse as plain numbers; _HLS_part alone or anything else is refused with a reason")
  void parse() {
    assertThat(BlockingReload.parse(null, null).blocks()).isFalse();
    assertThat(BlockingReload.parse("503", "2")).isEqualTo(new BlockingReload(503L, 2));
    assertThat(BlockingReload.parse("503", null)).isEqualTo(new BlockingReload(503L, null));
    assertThatThrownBy(() -> BlockingReload.parse(null, "1"))
        .hasMessageContaining("needs _HLS_msn");
    assertThatThrownBy(() -> BlockingReload.parse("-1", null))
        .hasMessageContaining("malformed _HLS_msn");
    assertThatThrownBy(() -> BlockingReload.parse("5e3", null))
        .hasMessageContaining("malformed _HLS_msn");
    assertThatThrownBy(() -> BlockingReload.parse("99999999999999999", null))
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> BlockingReload.parse("1", ""))
        .hasMessageContaining("malformed _HLS_part");
  }

  @Test
  @DisplayName(
      "satisfied once the segment (part) is there; a part past a complete segment's last is the next's first")
  void satisfies() {
    assertThat(s.satisfies(502, null)).isTrue();
    assertThat(s.satisfies(503, null)).isFalse();
    assertThat(s.satisfies(503, 1)).isTrue();
    assertThat(s.satisfies(503, 2)).isFalse();
    assertThat(s.satisfies(502, 6)).isTrue(); // = 503.0, which exists
    assertThat(s.satisfies(400, 0)).isTrue(); // long gone: the playlist is past it
    assertThat(s.satisfies(504, 0)).isFalse();
    // 19 parts: 503.0 just begun
    assertThat(LlPlaylistTest.store(19).snapshot().satisfies(502, 6)).isTrue();
    // 502 open with its 6 parts
    assertThat(LlPlaylistTest.store(18).snapshot().satisfies(502, 6)).isFalse();
  }

  @Test
  @DisplayName(
      "too far ahead: more than two segments past the last complete one, or past the Advance Part Limit")
  void tooFar() {
    assertThat(settings.advancePartLimit()).isEqualTo(9); // 3 / 0.334
    assertThat(new BlockingReload(504L, null).tooFarAhead(s, settings)).isFalse();
    // last complete 502, + 2
    assertThat(new BlockingReload(504L, 0).tooFarAhead(s, settings)).isFalse();
    assertThat(new BlockingReload(505L, null).tooFarAhead(s, settings)).isTrue();
    assertThat(new BlockingReload(999L, null).tooFarAhead(s, settings)).isTrue();
    assertThat(new BlockingReload(503L, 10).tooFarAhead(s, settings)).isFalse(); // last part 1, +9
    assertThat(new BlockingReload(503L, 11).tooFarAhead(s, settings)).isTrue();
    assertThat(new BlockingReload(504L, 9).tooFarAhead(s, settings)).isTrue();
  }
}

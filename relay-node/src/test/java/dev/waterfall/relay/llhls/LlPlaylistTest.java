package dev.waterfall.relay.llhls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.cmaf.Part;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The renderer against RFC 8216bis's rules for a low-latency media playlist. */
class LlPlaylistTest {

  static final long T0 = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();

  /** A store fed {@code parts} parts of 1/3 s, six to a segment, the first of each independent. */
  static PartStore store(int parts) {
    PartStore store = new PartStore(500, 9000);
    store.setInit(new byte[] {1, 2, 3});
    for (int i = 0; i < parts; i++) {
      long now = T0 + Math.round((i + 1) * 1000 / 3.0);
      store.add(new Part(new byte[] {(byte) i}, 1 / 3.0, i % 6 == 0, i % 6 == 0), now);
    }
    return store;
  }

  static List<String> lines(String playlist) {
    return List.of(playlist.split("\n"));
  }

  static double attr(String line, String name) {
    Matcher m = Pattern.compile(name + "=([0-9.]+)").matcher(line);
    assertThat(m.find()).as(name + " in " + line).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  @DisplayName("nothing to render before an init segment and a part")
  void emptyIsNull() {
    assertThat(LlPlaylist.render(new PartStore(1, 1).snapshot(), LlSettings.DEFAULT)).isNull();
  }

  @Test
  @DisplayName(
      "header: version, target duration, server control with blocking reload and hold-backs, part target, map")
  void header() {
    String p = LlPlaylist.render(store(20).snapshot(), LlSettings.DEFAULT);
    List<String> lines = lines(p);
    assertThat(lines.get(0)).isEqualTo("#EXTM3U");
    assertThat(lines)
        .contains(
            "#EXT-X-VERSION:6",
            "#EXT-X-TARGETDURATION:2",
            "#EXT-X-PART-INF:PART-TARGET=0.334",
            "#EXT-X-MEDIA-SEQUENCE:500",
            "#EXT-X-MAP:URI=\"init.mp4\"");
    String control =
        lines.stream()
            .filter(l -> l.startsWith("#EXT-X-SERVER-CONTROL:"))
            .findFirst()
            .orElseThrow();
    assertThat(control).contains("CAN-BLOCK-RELOAD=YES");
    // PART-HOLD-BACK at least 2× (SHOULD 3×) the part target; HOLD-BACK at least 3× the target
    // duration.
    assertThat(attr(control, "PART-HOLD-BACK")).isGreaterThanOrEqualTo(3 * 0.334);
    assertThat(attr(control, "[^-]HOLD-BACK")).isGreaterThanOrEqualTo(6);
  }

  @Test
  @DisplayName(
      "complete segments with EXTINF ≤ target; parts ≤ part target; the open segment's parts last; a hint")
  void body() {
    String p = LlPlaylist.render(store(20).snapshot(), LlSettings.DEFAULT);
    List<String> lines = lines(p);
    // 20 parts: segments 500–502 complete (18 parts), 503 open with 2.
    assertThat(lines.stream().filter(l -> l.startsWith("#EXTINF:")))
        .hasSize(3)
        .allSatisfy(
            l ->
                assertThat(Math.round(Double.parseDouble(l.substring(8, l.indexOf(',')))))
                    .isLessThanOrEqualTo(2));
    assertThat(lines).contains("seg-500.m4s", "seg-502.m4s").doesNotContain("seg-503.m4s");
    List<String> parts = lines.stream().filter(l -> l.startsWith("#EXT-X-PART:")).toList();
    assertThat(parts).allSatisfy(l -> assertThat(attr(l, "DURATION")).isLessThanOrEqualTo(0.334));
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part-9020.m4s\"");
    assertThat(lines.get(lines.size() - 2))
        .isEqualTo("#EXT-X-PART:DURATION=0.33333,URI=\"part-9019.m4s\"");
    assertThat(lines.get(lines.size() - 3))
        .isEqualTo("#EXT-X-PART:DURATION=0.33333,URI=\"part-9018.m4s\",INDEPENDENT=YES");
    // A segment's parts come before its EXTINF, and add up to it.
    int extinf = lines.indexOf("seg-502.m4s") - 1;
    assertThat(lines.subList(extinf - 6, extinf))
        .allSatisfy(l -> assertThat(l).startsWith("#EXT-X-PART:"));
    assertThat(lines.get(extinf - 6)).endsWith(",INDEPENDENT=YES");
    assertThat(lines.get(extinf)).isEqualTo("#EXTINF:2.00000,");
  }

  @Test
  @DisplayName(
      "parts are listed only for segments within three target durations of the edge; dates are continuous")
  void partWindowAndDates() {
    String p = LlPlaylist.render(store(6 * 7 + 1).snapshot(), LlSettings.DEFAULT);
    List<String> lines = lines(p);
    // 7 complete segments made, 6 kept + the open one; the oldest kept lists no parts.
    assertThat(lines).contains("#EXT-X-MEDIA-SEQUENCE:501");
    int first = lines.indexOf("seg-501.m4s");
    assertThat(lines.get(first - 1)).startsWith("#EXTINF:");
    assertThat(lines.get(first - 2)).startsWith("#EXT-X-PROGRAM-DATE-TIME:");
    long partLines = lines.stream().filter(l -> l.startsWith("#EXT-X-PART:")).count();
    // the open segment's 1 and the last 2–3 complete segments' 6 each
    assertThat(partLines).isBetween(13L, 19L);
    List<Instant> dates = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
        dates.add(Instant.parse(l.substring(25)));
      }
    }
    assertThat(dates).hasSize(7);
    for (int i = 1; i < dates.size(); i++) {
      assertThat(dates.get(i).toEpochMilli() - dates.get(i - 1).toEpochMilli()).isEqualTo(2000);
    }
    // The first segment's media began one part before its first part was added.
    assertThat(dates.get(0)).isEqualTo(Instant.ofEpochMilli(T0 + 2000));
  }

  @Test
  @DisplayName("a longer segment raises the target duration rather than break EXTINF ≤ target")
  void longSegmentRaisesTarget() {
    PartStore store = new PartStore(1, 1);
    store.setInit(new byte[] {1});
    for (int i = 0; i < 10; i++) {
      store.add(new Part(new byte[] {1}, 0.3, i == 0, i == 0), T0);
    }
    store.add(new Part(new byte[] {1}, 0.3, true, true), T0);
    assertThat(LlPlaylist.render(store.snapshot(), LlSettings.DEFAULT))
        .contains("#EXT-X-TARGETDURATION:3\n");
  }
}

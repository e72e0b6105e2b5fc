package dev.waterfall.relay.cmaf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Debian's ffmpeg 5.1 really writes what the cutter expects: 1/3 s fragments, a keyframe every
 * sixth.
 */
class FfmpegCmafSourceTest {

  @Test
  @DisplayName(
      "a file through ffmpeg: an init segment, then 1/3 s fragments in real time, keyframes every 2 s")
  void encodesFragments() throws Exception {
    Path clip = Path.of("src/main/resources/sample/ll/sample.mp4"); // 8 s, played once in real time
    List<Part> parts = new ArrayList<>();
    PartCutter cutter = new PartCutter(0.334, 2);
    try (FfmpegCmafSource source = FfmpegCmafSource.start(clip, false, "400k")) {
      assertThat(source.init().reference().video()).isTrue();
      while (parts.size() < 8) {
        Optional<Fragment> f = source.next();
        assertThat(f).isPresent();
        parts.addAll(cutter.accept(f.get()));
      }
    }
    assertThat(parts.get(0).independent()).isTrue();
    assertThat(parts.get(0).startsSegment()).isTrue();
    assertThat(parts.get(6).independent()).isTrue();
    assertThat(parts.get(6).startsSegment()).isTrue();
    // The stream's very first frame lasts a little longer (ffmpeg stretches it to the input's start
    // offset).
    assertThat(parts.get(0).seconds()).isBetween(0.3, 0.4);
    assertThat(parts.subList(1, parts.size()))
        .allSatisfy(p -> assertThat(p.seconds()).isBetween(0.3, 0.334));
  }

  @Test
  @DisplayName(
      "the command: fragmented MP4 to stdout, constant 30 fps, 2 s GOPs, no B-frames or look-ahead")
  void command() {
    List<String> cmd = FfmpegCmafSource.command("ffmpeg", Path.of("in.mp4"), false, null);
    assertThat(String.join(" ", cmd))
        .contains(
            "-re -i in.mp4",
            "-tune zerolatency",
            "-r 30 -g 60",
            "-movflags +frag_keyframe+empty_moov+default_base_moof -frag_duration 333333 pipe:1");
  }
}

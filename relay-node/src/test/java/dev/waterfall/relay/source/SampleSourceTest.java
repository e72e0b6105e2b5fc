package dev.waterfall.relay.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SampleSourceTest {

  @Test
  @DisplayName("the committed clip: five 2 s MPEG-TS segments, under 3 MB in all")
  void committedClip() {
    List<SampleSource.Clip> clips = SampleSource.loadClips();
    assertThat(clips)
        .extracting(SampleSource.Clip::name)
        .containsExactly("sample-0.ts", "sample-1.ts", "sample-2.ts", "sample-3.ts", "sample-4.ts");
    assertThat(clips)
        .allSatisfy(
            clip -> {
              assertThat(clip.durationMillis()).isEqualTo(2000);
              assertThat(clip.bytes().length % 188).isZero();
              assertThat(clip.bytes()[0]).isEqualTo((byte) 0x47); // TS sync byte
            });
    assertThat(clips.stream().mapToLong(c -> c.bytes().length).sum()).isLessThan(3_000_000);
  }

  @Test
  @DisplayName("two loops: sequences keep growing, a discontinuity at each wrap")
  void loops() {
    SampleSource source = SampleSource.fromClasspath();
    assertThat(source.pacedByCaller()).isTrue();
    assertThat(source.loopLength()).isEqualTo(5);
    assertThat(source.loopMillis()).isEqualTo(10_000);
    List<MediaSegment> emitted = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      emitted.add(source.next().orElseThrow());
    }
    assertThat(emitted)
        .extracting(MediaSegment::sequence)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(emitted)
        .extracting(MediaSegment::discontinuity)
        .containsExactly(false, false, false, false, false, true, false, false, false, false, true);
    assertThat(emitted)
        .extracting(MediaSegment::discontinuitySequence)
        .containsExactly(0L, 0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L, 1L, 2L);
    assertThat(emitted).extracting(MediaSegment::durationMillis).containsOnly(2000);
    assertThat(emitted.get(5).bytes()).isEqualTo(emitted.get(0).bytes());
    assertThat(emitted.get(6).bytes()).isNotEqualTo(emitted.get(5).bytes());
  }

  @Test
  void startsWhereTold() {
    List<SampleSource.Clip> clips =
        List.of(
            new SampleSource.Clip("a", new byte[] {1}, 1000),
            new SampleSource.Clip("b", new byte[] {2}, 1500));
    SampleSource source = new SampleSource(clips, 1_000);
    MediaSegment first = source.next().orElseThrow();
    MediaSegment second = source.next().orElseThrow();
    MediaSegment third = source.next().orElseThrow();
    assertThat(first.sequence()).isEqualTo(1_000);
    assertThat(second.durationMillis()).isEqualTo(1500);
    assertThat(third.sequence()).isEqualTo(1_002);
    assertThat(third.discontinuity()).isTrue();
    assertThatThrownBy(() -> new SampleSource(List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

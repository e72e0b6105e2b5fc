package dev.waterfall.relay.cmaf;

import static dev.waterfall.relay.cmaf.CmafTestFragments.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PartCutterTest {

  @Test
  @DisplayName(
      "1/3 s fragments with a keyframe every 2 s: one part each, the moment it comes; 2 s segments")
  void fragmentsOfTheTarget() {
    PartCutter cutter = new PartCutter(0.334, 2);
    List<Part> parts = new ArrayList<>();
    for (int i = 0; i < 18; i++) {
      List<Part> out = cutter.accept(video(i * 10L, 10, i % 6 == 0));
      assertThat(out).as("fragment %d is a part at once", i).hasSize(1);
      parts.addAll(out);
    }
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      assertThat(p.seconds()).isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(p.independent()).as("part %d", i).isEqualTo(i % 6 == 0);
      assertThat(p.startsSegment()).as("part %d", i).isEqualTo(i % 6 == 0);
    }
  }

  @Test
  @DisplayName(
      "one-frame fragments gather into parts of ≥ 85 % of the target; a keyframe ends a short part")
  void smallFragmentsGather() {
    PartCutter cutter = new PartCutter(0.334, 2);
    List<Part> parts = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      parts.addAll(cutter.accept(video(i, 1, i % 60 == 0)));
    }
    // 60 frames a GOP: 9 frames (0.3 s ≥ 0.284 s) × 6 = 54, then a 6-frame part the keyframe ends.
    assertThat(parts.stream().limit(7).map(p -> Math.round(p.seconds() * 30)).toList())
        .containsExactly(9L, 9L, 9L, 9L, 9L, 9L, 6L);
    assertThat(parts.get(7).independent()).isTrue();
    assertThat(parts.get(7).startsSegment()).isTrue();
    assertThat(parts.stream().filter(Part::startsSegment).count()).isEqualTo(2);
    assertThat(parts).allSatisfy(p -> assertThat(p.seconds()).isLessThanOrEqualTo(0.334));
  }

  @Test
  @DisplayName(
      "nothing before the first keyframe; 1 s GOPs make 2 s segments with an independent part mid-way")
  void startsOnAKeyframeAndGroupsGops() {
    PartCutter cutter = new PartCutter(0.334, 2);
    assertThat(cutter.accept(video(0, 10, false))).isEmpty();
    List<Part> parts = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      parts.addAll(cutter.accept(video(i * 10L, 10, i % 3 == 1)));
    }
    assertThat(parts).hasSize(12);
    assertThat(parts.get(0).startsSegment()).isTrue();
    assertThat(parts.get(3).independent()).isTrue();
    assertThat(parts.get(3).startsSegment()).isFalse();
    assertThat(parts.get(6).startsSegment()).isTrue();
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new PartCutter(0, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PartCutter(3, 2)).isInstanceOf(IllegalArgumentException.class);
  }
}

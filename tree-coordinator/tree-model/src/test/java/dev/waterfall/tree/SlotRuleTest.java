package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Capacity and depth-bound rules")
class SlotRuleTest {

  @Test
  void uplinkCarriesEightyPercentOfItsBitrateMultiples() {
    assertThat(StreamTree.slotsFor(4, 1000, 5000, true)).isEqualTo(4);
    assertThat(StreamTree.slotsFor(4, 1000, 3750, true)).isEqualTo(3); // 3.75 * 0.8 = 3.0 exactly
    assertThat(StreamTree.slotsFor(4, 1000, 3749, true)).isEqualTo(2);
    assertThat(StreamTree.slotsFor(4, 1500, 2000, true)).isEqualTo(1);
    assertThat(StreamTree.slotsFor(4, 1500, 1000, true)).isZero();
    assertThat(StreamTree.slotsFor(4, 1000, 100_000, true)).isEqualTo(4);
  }

  @Test
  void aNewcomerWithoutAMeasuredUplinkGetsItsUndeclaredSlotsCappedAtMaxChildren() {
    assertThat(StreamTree.slotsFor(4, 1000, null, true, 1)).isEqualTo(1);
    assertThat(StreamTree.slotsFor(4, 1000, null, true, 9)).isEqualTo(4);
    assertThat(StreamTree.slotsFor(4, 1000, null, false, 1)).isZero();
    // measured: the uplink decides
    assertThat(StreamTree.slotsFor(4, 1000, 2500, true, 1)).isEqualTo(2);
  }

  @Test
  void undeclaredUplinkGetsMaxChildrenAndNoUploadIsALeaf() {
    assertThat(StreamTree.slotsFor(4, 1000, null, true)).isEqualTo(4);
    assertThat(StreamTree.slotsFor(6, 1000, null, true)).isEqualTo(6);
    assertThat(StreamTree.slotsFor(4, 1000, null, false)).isZero();
    assertThat(StreamTree.slotsFor(4, 1000, 100_000, false)).isZero();
    assertThat(StreamTree.slotsFor(4, 1000, -5, true)).isZero();
  }

  @Test
  void rejectsNonsenseBitrate() {
    assertThatThrownBy(() -> StreamTree.slotsFor(4, 0, 1000, true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void depthBoundIsCeilLog4PlusTwo() {
    assertThat(StreamTree.depthBound(1)).isEqualTo(2);
    assertThat(StreamTree.depthBound(4)).isEqualTo(3);
    assertThat(StreamTree.depthBound(5)).isEqualTo(4);
    assertThat(StreamTree.depthBound(16)).isEqualTo(4);
    assertThat(StreamTree.depthBound(17)).isEqualTo(5);
    assertThat(StreamTree.depthBound(1001)).isEqualTo(7);
    assertThat(StreamTree.depthBound(100_001)).isEqualTo(11);
    assertThat(StreamTree.depthBound(Integer.MAX_VALUE)).isEqualTo(18);
    assertThatThrownBy(() -> StreamTree.depthBound(0)).isInstanceOf(IllegalArgumentException.class);
  }
}

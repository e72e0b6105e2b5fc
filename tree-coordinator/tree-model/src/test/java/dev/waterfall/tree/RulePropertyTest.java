package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * jqwik properties (kept apart from JUnit classes: jqwik ignores JUnit annotations such
 * as @DisplayName).
 */
class RulePropertyTest {

  @Property(tries = 300)
  void slotsMatchTheFormula(
      @ForAll @IntRange(min = 1, max = 8) int maxChildren,
      @ForAll @IntRange(min = 1, max = 20_000) int bitrate,
      @ForAll @IntRange(min = 0, max = 200_000) int uplink) {
    int slots = StreamTree.slotsFor(maxChildren, bitrate, uplink, true);
    assertThat(slots).isBetween(0, maxChildren);
    // floor(uplink / bitrate * 0.8), checked exactly: slots*bitrate*5 <= uplink*4 <
    // (slots+1)*bitrate*5
    if (slots < maxChildren) {
      assertThat(5L * bitrate * slots).isLessThanOrEqualTo(4L * uplink);
      assertThat(5L * bitrate * (slots + 1)).isGreaterThan(4L * uplink);
    } else {
      assertThat(5L * bitrate * maxChildren).isLessThanOrEqualTo(4L * uplink);
    }
  }

  @Property(tries = 200)
  void depthBoundAgreesWithPowersOfFour(@ForAll @IntRange(min = 2, max = Integer.MAX_VALUE) int n) {
    int log = StreamTree.depthBound(n) - 2;
    assertThat(Math.pow(4, log)).isGreaterThanOrEqualTo(n);
    assertThat(Math.pow(4, log - 1)).isLessThan(n);
  }

  @Property(tries = 25)
  void shortRunsFromRandomSeeds(
      @ForAll long seed, @ForAll("strategyNames") String strategy, @ForAll ChurnDriver.Mix mix) {
    ChurnDriver driver = new ChurnDriver(seed, RepairStrategies.byName(strategy), mix, 150);
    driver.run(600, true);
  }

  @Provide
  Arbitrary<String> strategyNames() {
    return Arbitraries.of(RepairStrategies.names());
  }
}

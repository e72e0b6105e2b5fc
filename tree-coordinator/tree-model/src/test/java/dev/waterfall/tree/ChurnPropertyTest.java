package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Long seeded runs of every mutation, validating every invariant after every single step. Each run
 * has its own driver and tree, so they run side by side (the longest unit tests; ~40 s one at a
 * time).
 */
@DisplayName("Churn: invariants hold after every step")
@Execution(ExecutionMode.CONCURRENT)
class ChurnPropertyTest {

  static List<String> strategies() {
    return RepairStrategies.names();
  }

  @ParameterizedTest(name = "{0}: 10,000 mixed steps, capacities 0..4")
  @MethodSource("strategies")
  void mixedCapacities(String strategy) {
    ChurnDriver driver =
        new ChurnDriver(20261121L, RepairStrategies.byName(strategy), ChurnDriver.Mix.MIXED, 1000);
    driver.run(10_000, true);
    assertThat(driver.tree().size()).isGreaterThan(100);
  }

  @ParameterizedTest(name = "{0}: 10,000 steps with scarce capacity (full tree, evictions)")
  @MethodSource("strategies")
  void scarceCapacity(String strategy) {
    ChurnDriver driver =
        new ChurnDriver(77L, RepairStrategies.byName(strategy), ChurnDriver.Mix.SCARCE, 1000);
    driver.run(10_000, true);
    assertThat(driver.evictions).isPositive();
  }

  @ParameterizedTest(name = "{0}: 10,000 steps at full capacity stay within the depth bound")
  @MethodSource("strategies")
  void fullCapacityKeepsTheDepthBound(String strategy) {
    ChurnDriver driver =
        new ChurnDriver(4242L, RepairStrategies.byName(strategy), ChurnDriver.Mix.FULL, 1200);
    driver.run(10_000, true);
    assertThat(driver.evictions).isZero();
  }
}

package dev.waterfall.loadtest.kit.clients;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepairClockTest {
  private static final long MS = 1_000_000L;

  @Test
  void aReparentAwayFromADepartedParentIsATimedMove() {
    RepairClock clock = new RepairClock();
    clock.departed("a", 100 * MS);
    clock.departed("b", 200 * MS);

    assertThat(clock.reparented("a", 130 * MS)).isTrue();
    assertThat(clock.reparented("a", 150 * MS)).isTrue();
    assertThat(clock.reparented("b", 290 * MS)).isTrue();

    assertThat(clock.departures()).isEqualTo(2);
    assertThat(clock.moves()).isEqualTo(3);
    assertThat(clock.otherReparents()).isZero();
    var h = clock.latencies();
    assertThat(h.getTotalCount()).isEqualTo(3);
    assertThat(h.getValueAtPercentile(50) / (double) MS).isBetween(49.9, 50.1);
    assertThat(h.getMaxValue() / (double) MS).isBetween(89.9, 90.1);
  }

  @Test
  void otherReparentsAreCountedNotTimed() {
    RepairClock clock = new RepairClock();
    clock.departed("gone", 0);

    assertThat(clock.reparented("still-here", 10 * MS)).isFalse();
    // the origin's child list, or a node without a parent
    assertThat(clock.reparented(null, 10 * MS)).isFalse();

    assertThat(clock.moves()).isZero();
    assertThat(clock.otherReparents()).isEqualTo(2);
    assertThat(clock.latencies().getTotalCount()).isZero();
  }

  @Test
  void aDepartureWithoutANodeIdIsIgnored() {
    RepairClock clock = new RepairClock();
    clock.departed(null, 0);
    assertThat(clock.departures()).isZero();
  }

  @Test
  void replayedClocksMatchDeparturesAndReparentsSeenInDifferentProcesses() {
    // Process A saw "a" depart; its child lives in process B, which saw the reparent.
    RepairClock a = new RepairClock();
    a.departed("a", 100 * MS);
    a.reparented("x", 120 * MS); // x never departed: a rebalancing
    RepairClock b = new RepairClock();
    b.reparented("a", 160 * MS);
    b.reparented("late", 50 * MS); // "late" departs only afterwards: not its repair
    b.departed("late", 300 * MS);

    java.util.List<RepairClock.Departure> departures = new java.util.ArrayList<>(a.departureLog());
    departures.addAll(b.departureLog());
    java.util.List<RepairClock.Reparent> reparents = new java.util.ArrayList<>(a.reparents());
    reparents.addAll(b.reparents());
    RepairClock merged = RepairClock.replay(departures, reparents);

    assertThat(b.moves()).isZero(); // alone, B cannot tell
    assertThat(merged.moves()).isEqualTo(1);
    assertThat(merged.otherReparents()).isEqualTo(2);
    assertThat(merged.departures()).isEqualTo(2);
    assertThat(merged.latencies().getMaxValue() / (double) MS).isBetween(59.9, 60.1);
  }

  @Test
  void theLeafMovedIntoADepartedNodesPlaceIsTimedApart() {
    RepairClock clock = new RepairClock();
    clock.departed("d", "g", 100 * MS); // d, a child of g, departs
    assertThat(clock.reparented("d", "leaf", 130 * MS)).isTrue(); // d's child goes under the leaf
    // the leaf leaves p for d's place under g
    assertThat(clock.reparented("p", "g", 125 * MS)).isFalse();
    assertThat(clock.reparented("p", "q", 140 * MS)).isFalse(); // an unrelated rebalancing
    // to g, but long after: not d's leaf
    assertThat(clock.reparented("r", "g", 20_000 * MS)).isFalse();

    assertThat(clock.moves()).isEqualTo(1);
    assertThat(clock.otherReparents()).isEqualTo(3);
    assertThat(clock.leafMoves()).isEqualTo(1);
    assertThat(clock.leafLatencies().getMaxValue() / (double) MS).isBetween(24.9, 25.1);
  }
}

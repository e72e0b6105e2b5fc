package dev.waterfall.loadtest.browsers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.loadtest.kit.chromium.Probe;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalsTest {
  @Test
  void eachSegmentOfAPageCountsOnceAndTheJoinBacklogNotAtAll() {
    Arrivals a = new Arrivals(10_000);
    // backlog: produced before the start
    List<Probe.Arrival> first =
        List.of(new Probe.Arrival(1, 8_000, 10_500), new Probe.Arrival(2, 10_000, 10_040));
    a.add("p1", 1, first);
    a.add(
        "p1",
        1,
        List.of(new Probe.Arrival(2, 10_000, 10_040), new Probe.Arrival(3, 12_000, 12_030)));
    a.add("p2", 2, List.of(new Probe.Arrival(2, 10_000, 10_090)));
    a.add("plain", null, List.of(new Probe.Arrival(2, 10_000, 10_000)));
    assertThat(a.byDepth()).containsOnlyKeys(1, 2);
    assertThat(a.byDepth().get(1)).containsExactlyInAnyOrder(40.0, 30.0);
    assertThat(a.byDepth().get(2)).containsExactly(90.0);
    assertThat(a.summary().get("1").get("count").intValue()).isEqualTo(2);
  }
}

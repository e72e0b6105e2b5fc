package dev.waterfall.loadtest.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.loadtest.report.Latency;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ClientProcessPartsTest {
  private static final long MS = 1_000_000L;

  private static Histogram of(long... millis) {
    Histogram h = Latency.histogram();
    for (long m : millis) {
      h.recordValue(m * MS);
    }
    return h;
  }

  @Test
  void joinOutcomesCrossThePipeAndAddUp() {
    JoinOutcome a =
        new JoinOutcome(
            3,
            2,
            Map.of("connect: ConnectException", 1L),
            1_000 * MS,
            1_400 * MS,
            2000,
            of(4, 6),
            of(9, 11));
    JoinOutcome b =
        new JoinOutcome(2, 2, Map.of(), 1_100 * MS, 2_000 * MS, 2000, of(40, 50), of(60, 70));

    JoinOutcome a2 = JoinOutcome.fromWire(a.toWire());
    assertThat(a2.joined()).isEqualTo(2);
    assertThat(a2.failures()).containsEntry("connect: ConnectException", 1L);
    assertThat(a2.joinToWelcome().getTotalCount()).isEqualTo(2);
    assertThat(a2.joinToWelcome().getMaxValue() / (double) MS).isBetween(5.9, 6.1);

    JoinOutcome merged = JoinOutcome.merge(List.of(a2, JoinOutcome.fromWire(b.toWire())));
    assertThat(merged.requested()).isEqualTo(5);
    assertThat(merged.joined()).isEqualTo(4);
    // First start (a) to last welcome (b): 1 s for 4 joins.
    assertThat(merged.nanos()).isEqualTo(1_000 * MS);
    assertThat(merged.joinsPerSecond()).isEqualTo(4);
    assertThat(merged.joinToWelcome().getTotalCount()).isEqualTo(4);
    assertThat(merged.joinToWelcome().getMaxValue() / (double) MS).isBetween(49.9, 50.1);
    assertThat(merged.toJson().path("joinToWelcome").path("count").asInt()).isEqualTo(4);
  }

  @Test
  void slicesAddUpToTheWhole() {
    assertThat(
            List.of(0, 1, 2).stream().mapToInt(i -> ClientProcesses.share(10_001, i, 3)).toArray())
        .containsExactly(3_334, 3_334, 3_333);
    ChurnPlan plan = new ChurnPlan("s", 1000, 60, 0.25, 7, 64);
    assertThat(
            plan.slice(0, 3).departures()
                + plan.slice(1, 3).departures()
                + plan.slice(2, 3).departures())
        .isEqualTo(1000);
    assertThat(plan.slice(2, 3).seed()).isEqualTo(9);
    assertThat(plan.slice(0, 3).concurrency()).isEqualTo(21);
  }

  @Test
  void eachProcessHasRoomForItsSharesOfEverySplit() {
    // 50,000 + 1,000 + 5,000 churn arrivals over 3: process 0 gets the larger share of each.
    int capacity = 1 + 50_000 + 1_000 + 5_000;
    int used =
        ClientProcesses.share(50_000, 0, 3)
            + ClientProcesses.share(1_000, 0, 3)
            + (int) new ChurnPlan("s", 5_000, 60, 0.25, 1, 64).slice(0, 3).departures();
    assertThat(used).isGreaterThan(ClientProcesses.share(capacity, 0, 3));
    assertThat(used)
        .isLessThanOrEqualTo(ClientProcesses.share(capacity, 0, 3) + ClientProcesses.SPLITS);
  }

  @Test
  void aRunThatCannotFitItsSocketsIsRefusedWithWhatWouldFit() {
    SocketBudget budget = new SocketBudget(19_500, 20_000);
    assertThat(budget.refusal(11_001, 1, 1)).isEmpty();
    assertThat(budget.refusal(30_001, 2, 2)).isEmpty();
    assertThat(budget.refusal(30_001, 1, 2))
        .get()
        .asString()
        .contains("30,001 nodes")
        .contains("--coordinators 2 --client-processes 2");
    assertThat(budget.refusal(50_001, 3, 2))
        .get()
        .asString()
        .contains("--coordinators 3 --client-processes 3");
    assertThat(budget.refusal(60_001, 3, 4)).get().asString().contains("even 3 coordinators");
  }

  @Test
  void fleetStatesAddUp() {
    FleetState a = new FleetState(3, 1, 10, Map.of("Welcome", 3L));
    FleetState b =
        FleetState.fromWire(
            new FleetState(4, 0, 5, Map.of("Welcome", 4L, "Reparent", 1L)).toWire());
    FleetState sum = FleetState.sum(List.of(a, b));
    assertThat(sum.connected()).isEqualTo(7);
    assertThat(sum.heartbeatsSent()).isEqualTo(15);
    assertThat(sum.received()).containsEntry("Welcome", 7L).containsEntry("Reparent", 1L);
  }
}

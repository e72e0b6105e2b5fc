package dev.waterfall.loadtest.field;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.loadtest.field.ParentCut.Outcome;
import dev.waterfall.loadtest.field.ParentCut.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParentCutTest {
  private static final long CUT = 10_000;

  @Test
  void aChildIsFedAgainWhenItsBytesGrowAfterTheCutAndMovedWhenANewParentDelivers() {
    List<Sample> samples =
        List.of(
            new Sample(CUT - 100, 5_000, 100, "B", 0, 0),
            // in flight at the cut: not yet fed again
            new Sample(CUT + 200, 5_600, 100, "B", 0, 0),
            new Sample(CUT + 700, 5_600, 100, "B", 0, 0),
            new Sample(CUT + 1_200, 5_600, 100, "B", 0, 0),
            // the gap filler's HTTP
            new Sample(CUT + 1_700, 5_600, 900, "B", 0, 0),
            // moved, nothing from the new parent yet
            new Sample(CUT + 4_200, 5_600, 2_000, "P", 0, 0),
            new Sample(CUT + 4_700, 6_400, 2_000, "P", 1, 300));
    Outcome o = Outcome.of("viewer 4", "B", CUT, samples);
    assertThat(o.fedAgainMillis()).isEqualTo(1_700);
    assertThat(o.newParentMillis()).isEqualTo(4_700);
    assertThat(o.newParent()).isEqualTo("P");
    assertThat(o.stalls()).isEqualTo(1);
    assertThat(o.stalledMs()).isEqualTo(300);
  }

  @Test
  void aChildNeverFedAgainByAnotherSourceHasNoTimes() {
    List<Sample> samples =
        List.of(
            new Sample(CUT - 100, 5_000, 100, "B", 0, 0),
            new Sample(CUT + 500, 5_000, 100, "B", 0, 0),
            // the cut parent's bytes counted late are not a new parent's
            new Sample(CUT + 1_000, 5_300, 100, "B", 0, 0));
    Outcome o = Outcome.of("viewer 5", "B", CUT, samples);
    assertThat(o.fedAgainMillis()).isNull();
    assertThat(o.newParentMillis()).isNull();

    Outcome silent =
        Outcome.of(
            "viewer 5",
            "B",
            CUT,
            List.of(
                new Sample(CUT - 100, 5_000, 100, "B", 0, 0),
                new Sample(CUT + 29_900, 5_000, 100, null, 2, 9_000)));
    assertThat(silent.fedAgainMillis()).isNull();
    assertThat(silent.newParentMillis()).isNull();
    assertThat(silent.stalls()).isEqualTo(2);
  }

  @Test
  void theBoostersNodeIdIsItsLastJoin() {
    String log =
        """
        00:01:01.528 INFO  d.w.r.node.RelayNode - joined in stream 'field' as PRHeKcMUjGt74w at depth 1 (parent z)
        00:02:11.000 INFO  d.w.r.node.RelayNode - joined in stream 'field' as Q-2_x at depth 2 (parent y)
        """;
    assertThat(ParentCut.lastJoinedAs(log)).isEqualTo("Q-2_x");
    assertThat(ParentCut.lastJoinedAs("nothing yet")).isNull();
  }
}

package dev.waterfall.relay.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Candidates that come before the remote description wait for it, in order, up to a cap. */
class RemoteCandidatesTest {
  private final List<String> added = new ArrayList<>();
  private final RemoteCandidates<String> candidates = new RemoteCandidates<>(3, added::add);

  @Test
  void candidatesBeforeTheDescriptionWaitForItInArrivalOrder() {
    candidates.offer("a");
    candidates.offer("b");
    assertThat(added).isEmpty();
    assertThat(candidates.isDescribed()).isFalse();

    candidates.described();

    assertThat(added).containsExactly("a", "b");
    assertThat(candidates.waiting()).isZero();
    assertThat(candidates.isDescribed()).isTrue();
  }

  @Test
  void afterTheDescriptionEachGoesOnAtOnce() {
    candidates.described();
    candidates.offer("a");
    assertThat(added).containsExactly("a");
  }

  @Test
  void beyondTheCapEarlyCandidatesAreDropped() {
    for (String c : List.of("a", "b", "c", "d", "e")) {
      candidates.offer(c);
    }
    assertThat(candidates.waiting()).isEqualTo(3);
    candidates.described();
    assertThat(added).containsExactly("a", "b", "c");
  }

  @Test
  void aClosedEdgeDropsWhatWaited() {
    candidates.offer("a");
    candidates.clear();
    candidates.described();
    assertThat(added).isEmpty();
  }
}

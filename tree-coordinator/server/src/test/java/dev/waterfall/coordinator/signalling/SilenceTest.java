package dev.waterfall.coordinator.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Liveness every 2 s, 3 missed heartbeats: silent after 6 s and 3 checks in a row that heard
 * nothing.
 */
class SilenceTest {
  private final Silence silence = new Silence(6000, 3);

  private static Session heardAt(long t) {
    Session s = new Session(null, "test", null, t);
    s.lastSeen = t;
    return s;
  }

  @Test
  void aNodeThatStopsIsSilentOnceSixSecondsAndThreeQuietChecksHavePassed() {
    Session s = heardAt(100);
    assertThat(silence.check(s, 2000)).isFalse();
    assertThat(silence.check(s, 4000)).isFalse();
    assertThat(silence.check(s, 6000)).isFalse();
    assertThat(silence.check(s, 8000)).as("8 s of silence, 3 quiet checks").isTrue();
  }

  @Test
  void aNodeHeardEveryIntervalNeverIs() {
    Session s = heardAt(50);
    for (long t = 2000; t < 60_000; t += 2000) {
      s.lastSeen = t - 150;
      assertThat(silence.check(s, t)).isFalse();
    }
  }

  @Test
  void aStallOfTheCoordinatorItselfCostsOneCheckNotThePlace() {
    Session s = heardAt(50);
    assertThat(silence.check(s, 2000)).isFalse();
    // The process stalls 9 s: the node's heartbeats wait unread, the clock runs on, one late check
    // finds nothing.
    assertThat(silence.check(s, 11_000)).as("one check after a stall").isFalse();
    s.lastSeen = 11_050; // the queued heartbeats are read
    assertThat(silence.check(s, 13_000)).isFalse();
  }

  @Test
  void aNodeSilentAcrossAStallIsStillFoundAfterThreeQuietChecks() {
    Session s = heardAt(50);
    assertThat(silence.check(s, 11_000)).isFalse();
    assertThat(silence.check(s, 13_000)).isFalse();
    assertThat(silence.check(s, 15_000)).isFalse();
    assertThat(silence.check(s, 17_000)).isTrue();
  }
}

package dev.waterfall.loadtest.kit.processes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostLogTest {
  @Test
  void parsesWhatARelayHostReportsAndAnswersAsOfATime() {
    HostLog log = new HostLog();
    for (String line :
        new String[] {
          "joined n1 1000",
          "parent - 1000",
          "parent p1 1100",
          "flow p1 1150",
          "seg 7 1300",
          "bytes 500 0 2000",
          "seg 8 3300",
          "seg 7 9999", // a segment is reported once; a repeat does not move its time
          "parent - 5000",
          "parent p2 5200",
          "flow p2 5260",
          "bytes 900 40 6000",
          "links 3 2 6000",
          // noise and truncated lines are ignored
          "SLF4J: some library noise",
          "seg 9",
          "bytes 1 x 7000"
        }) {
      log.accept(line);
    }
    assertThat(log.nodeId()).isEqualTo("n1");
    assertThat(log.joinedAtMillis()).isEqualTo(1000);
    assertThat(log.parentAt(999)).isNull();
    assertThat(log.parentAt(1100)).isEqualTo("p1");
    assertThat(log.parentAt(5100)).isNull();
    assertThat(log.parentAt(9000)).isEqualTo("p2");
    assertThat(log.flows()).extracting(HostLog.Change::parent).containsExactly("p1", "p2");
    assertThat(log.segments()).containsEntry(7L, 1300L).containsEntry(8L, 3300L).hasSize(2);
    assertThat(log.firstSegmentAtMillis()).isEqualTo(1300);
    assertThat(log.bytesAt(1999)).containsExactly(0, 0);
    assertThat(log.bytesAt(5999)).containsExactly(500, 0);
    assertThat(log.bytesAt(10_000)).containsExactly(900, 40);
    assertThat(log.links()).containsExactly(3, 2);
  }

  @Test
  void aRecyclingHostSaysWhenItDrainsAndWhenItExits() {
    HostLog log = new HostLog();
    log.accept("joined n1 1000");
    log.accept("Waterfall booster n1 relaying 'soak'");
    assertThat(log.recycling()).isFalse();
    assertThat(log.exitingAtMillis()).isEqualTo(-1);
    log.accept(
        "Waterfall booster recycling after 500 peer connections: handing its 6 children over, then exiting "
            + "for a fresh process");
    log.accept("exiting 9000");
    assertThat(log.recycling()).isTrue();
    assertThat(log.exitingAtMillis()).isEqualTo(9000);
  }
}

package dev.waterfall.loadtest.field;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoturnLogTest {
  @Test
  void countsWhatTurnGrantedWhichAllocationsCarriedDataAndTheRelaySendsThatFailed() {
    CoturnLog log =
        CoturnLog.parse(
            List.of(
                "21: : session 001: realm <waterfall> user <>: incoming packet message processed,"
                    + " error 401: Unauthorized",
                "21: : session 001: realm <waterfall> user <1:a>: incoming packet ALLOCATE"
                    + " processed, success",
                "21: : session 001: realm <waterfall> user <1:a>: incoming packet CREATE_PERMISSION"
                    + " processed, success",
                "21: : session 001: realm <waterfall> user <1:a>: incoming packet CREATE_PERMISSION"
                    + " processed, success",
                "udp send: Network is unreachable",
                "22: : session 001: realm <waterfall> user <1:a>: incoming packet CHANNEL_BIND"
                    + " processed, success",
                "64: : session 001: peer usage: realm=<waterfall>, username=<1:a>, rp=0, rb=0,"
                    + " sp=3, sb=300",
                "90: : session 002: peer usage: realm=<waterfall>, username=<1:b>, rp=12, rb=2670,"
                    + " sp=13, sb=2669",
                "91: : session 003: usage: realm=<waterfall>, username=<1:b>, rp=12, rb=2670,"
                    + " sp=13, sb=2669"));
    assertThat(log.allocations()).isEqualTo(1);
    assertThat(log.permissions()).isEqualTo(2);
    assertThat(log.channelBinds()).isEqualTo(1);
    // only session 002 both received from a peer and sent to one; a client-side tally does not
    // count
    assertThat(log.allocationsCarrying()).isEqualTo(1);
    assertThat(log.relaySendFailures()).isEqualTo(1);
  }
}

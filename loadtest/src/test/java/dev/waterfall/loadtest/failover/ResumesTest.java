package dev.waterfall.loadtest.failover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResumesTest {
  private static Fleet.ResumeSample resume(
      long atMillis, long ms, long reconnectMs, int coordinator, boolean same) {
    return new Fleet.ResumeSample(
        0,
        atMillis,
        ms * 1_000_000,
        reconnectMs * 1_000_000,
        (ms - reconnectMs) * 1_000_000,
        1,
        same,
        coordinator);
  }

  @Test
  void splitsBySurvivorAndTimesFirstAndLastFromTheKill() {
    ObjectNode o =
        Resumes.summarise(
            List.of(
                resume(11_000, 1000, 200, 1, true),
                resume(11_500, 1500, 300, 2, true),
                resume(13_000, 3000, 400, 2, false)),
            10_000);
    assertThat(o.get("resumed").asInt()).isEqualTo(3);
    assertThat(o.get("resumedWithSameParent").asInt()).isEqualTo(2);
    // 1-based numbers
    assertThat(o.get("resumedOnCoordinator").toString()).isEqualTo("{\"2\":1,\"3\":2}");
    assertThat(o.get("resumeMsBySurvivor").get("3").get("count").asInt()).isEqualTo(2);
    assertThat(o.get("firstResumeAfterKillMs").asLong()).isEqualTo(1000);
    assertThat(o.get("lastResumeAfterKillMs").asLong()).isEqualTo(3000);
    // 3 resumes over 2 s = 1.5, rounded
    assertThat(o.get("resumesPerSecond").asLong()).isEqualTo(2);
    assertThat(o.get("resumeMs").get("maxMs").asDouble()).isBetween(2990.0, 3010.0);
    assertThat(o.get("droppedToSocketOpenMs").get("maxMs").asDouble()).isBetween(399.0, 401.0);
    assertThat(o.get("resumeMsEach")).hasSize(3);
  }

  @Test
  void noResumesGiveCountsOnly() {
    ObjectNode o = Resumes.summarise(List.of(), 0);
    assertThat(o.get("resumed").asInt()).isZero();
    assertThat(o.has("firstResumeAfterKillMs")).isFalse();
    assertThat(o.get("resumeMs").get("count").asInt()).isZero();
  }
}

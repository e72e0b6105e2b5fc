package dev.waterfall.loadtest.failover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinWindowTest {
  private static Fleet.JoinSample at(long ms, long joinMs, boolean trickle) {
    return new Fleet.JoinSample(ms, joinMs * 1_000_000, joinMs * 2_000_000, 0, trickle);
  }

  private final List<Fleet.JoinSample> samples =
      List.of(
          at(999, 5, true),
          at(1000, 10, true),
          at(1500, 20, true),
          at(1999, 30, false),
          at(2999, 40, true),
          at(3000, 50, true));

  @Test
  void countsOnlyTheTrickleInsideTheHalfOpenWindow() {
    ObjectNode o = new JoinWindow("w", 1000, 3000).summarise(samples);
    // 1000, 1500, 2999; not 999, 3000, nor the initial batch's
    assertThat(o.get("joins").asLong()).isEqualTo(3);
    assertThat(o.get("joinsPerSecond").asDouble()).isEqualTo(1.5);
    assertThat(o.get("joinToWelcome").get("maxMs").asDouble()).isBetween(39.9, 40.1);
    assertThat(o.get("openToWelcome").get("maxMs").asDouble()).isBetween(79.9, 80.1);
  }

  @Test
  void anEmptyWindowHasNoRateAndNoLatencies() {
    ObjectNode o = new JoinWindow("w", 5000, 5000).summarise(samples);
    assertThat(o.get("joins").asLong()).isZero();
    assertThat(o.get("joinsPerSecond").asDouble()).isZero();
    assertThat(o.get("joinToWelcome").get("count").asLong()).isZero();
  }

  @Test
  void bucketsPerSecondFromTheOrigin() {
    assertThat(JoinWindow.perSecond(samples, 1000, 4000)).containsExactly(2, 1, 1);
    // the partial third second left out
    assertThat(JoinWindow.perSecond(samples, 1000, 3500)).containsExactly(2, 1);
    assertThat(JoinWindow.perSecond(samples, 0, 1000)).containsExactly(1);
  }
}

package dev.waterfall.loadtest.kit.chromium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {
  @Test
  void percentilesOfFewSamplesAreOrderStatistics() {
    List<Double> ms = List.of(400.0, 350.0, 380.0, 900.0, 360.0, 370.0, 390.0, 365.0);
    assertThat(Spread.percentile(ms, 50)).isCloseTo(370.0, within(0.5));
    assertThat(Spread.percentile(ms, 95)).isCloseTo(900.0, within(1.0));
    var s = Spread.summary(ms);
    assertThat(s.get("count").intValue()).isEqualTo(8);
    assertThat(s.get("minMs").doubleValue()).isCloseTo(350.0, within(0.5));
  }

  @Test
  void ratioIsNaNWhenASideIsMissing() {
    assertThat(Spread.ratio(440, 400)).isEqualTo(1.1);
    assertThat(Spread.ratio(Spread.percentile(List.of(), 50), 400)).isNaN();
    assertThat(Spread.ratio(1, 0)).isNaN();
    assertThat(Spread.summary(List.of()).size()).isEqualTo(1);
  }
}

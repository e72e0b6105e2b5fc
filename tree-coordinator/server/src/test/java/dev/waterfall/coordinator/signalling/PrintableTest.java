package dev.waterfall.coordinator.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A report's free text goes into a log line: one line, bounded, whatever a client sent. */
class PrintableTest {
  @Test
  void aForgedLineBreakAndAnEssayStayOneShortLine() {
    assertThat(SignallingServer.printable("supplied 38% of the last 10 s"))
        .isEqualTo("supplied 38% of the last 10 s");
    assertThat(SignallingServer.printable("ok\n12:00:00 INFO forged line"))
        .doesNotContain("\n")
        .startsWith("ok ");
    assertThat(SignallingServer.printable("x".repeat(10_000))).hasSize(161);
    assertThat(SignallingServer.printable(null)).isEqualTo("nothing");
  }
}

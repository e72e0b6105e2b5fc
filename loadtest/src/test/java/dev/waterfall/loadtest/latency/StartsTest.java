package dev.waterfall.loadtest.latency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a stall counts as 'while another page started' only inside another page's start")
class StartsTest {
  @Test
  @DisplayName(
      "inside another's opening-to-playing; never its own; a page that never played: to the end")
  void stallsInsideOthersStarts() {
    List<Starts.Page> pages =
        List.of(
            // a: stalls at 1500 (inside b's start), 4000 (nobody starting), 6500 (inside d's)
            new Starts.Page(0, 1000L, List.of(1500L, 4000L, 6500L)),
            // b: opened 1200, played 2000; its stall at 1900 falls inside its own start only
            new Starts.Page(1200, 2000L, List.of(1900L, 2000L)),
            // c: a stall at 1300, inside b's start (one count, though a's start is over)
            new Starts.Page(100, 900L, List.of(1300L)),
            // d: opened 6000, never played
            new Starts.Page(6000, null, List.of()));
    assertThat(Starts.whileAnotherStarted(pages, 7000)).containsExactly(2, 0, 1, 0);
  }
}

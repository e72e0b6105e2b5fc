package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The order in which a relay tries coordinators after a drop (the same as a page's,
 * p2p/signalling.js).
 */
class CoordinatorSessionTest {
  private static final List<String> LIST = List.of("ws://a/ws", "ws://b/ws", "ws://c/ws");

  private static List<String> tries(String current, int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> CoordinatorSession.candidate(LIST, current, i))
        .toList();
  }

  @Test
  void beforeAnyWelcomeGoesRoundTheListInOrder() {
    assertThat(tries("ws://a/ws", 4))
        .containsExactly("ws://a/ws", "ws://b/ws", "ws://c/ws", "ws://a/ws");
  }

  @Test
  void triesTheCoordinatorThatWelcomedFirstThenTheOthersInListOrder() {
    assertThat(tries("ws://b/ws", 5))
        .containsExactly("ws://b/ws", "ws://a/ws", "ws://c/ws", "ws://b/ws", "ws://a/ws");
    assertThat(tries("ws://c/ws", 3)).containsExactly("ws://c/ws", "ws://a/ws", "ws://b/ws");
  }

  @Test
  void aSingleCoordinatorIsRetriedAlone() {
    assertThat(
            IntStream.range(0, 3)
                .mapToObj(i -> CoordinatorSession.candidate(List.of("ws://a/ws"), "ws://a/ws", i)))
        .containsOnly("ws://a/ws");
  }
}

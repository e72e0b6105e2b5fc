package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import org.junit.jupiter.api.Test;

class TreePartsTest {
  private static byte[] control(String json) {
    return FrameCodec.encode(new Frame.Control(json));
  }

  @Test
  void anAskKeepsTheSegmentsUnlessItSaysSegmentsFalse() {
    assertThat(TreeParts.isAsk(TreeParts.ASK)).isTrue();
    assertThat(TreeParts.asksSegments(TreeParts.ASK)).as("a Java relay's ask").isTrue();
    byte[] partsOnly = control("{\"type\":\"parts\",\"segments\":false}");
    assertThat(TreeParts.isAsk(partsOnly)).isTrue();
    assertThat(TreeParts.asksSegments(partsOnly))
        .as("an LL page without classic children")
        .isFalse();
    assertThat(TreeParts.asksSegments(control("{\"type\":\"parts\",\"segments\":true}"))).isTrue();
    assertThat(TreeParts.asksSegments(control("{\"type\":\"parts\",\"segments\":\"no\"}")))
        .as("only false turns them off")
        .isTrue();
    assertThat(TreeParts.asksSegments(new byte[] {1, 4, '{'})).isTrue();
  }
}

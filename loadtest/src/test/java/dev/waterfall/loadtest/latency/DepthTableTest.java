package dev.waterfall.loadtest.latency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
    "latency by mode and depth: every frame of the pages at a depth, their stalls and share")
class DepthTableTest {
  private static List<Double> range(int from, int to) {
    List<Double> v = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      v.add((double) i);
    }
    return v;
  }

  @Test
  @DisplayName("pages group by mode, then depth; percentiles over all their frames")
  void groupsAndPercentiles() {
    ObjectNode t =
        DepthTable.of(
            List.of(
                new PageFigures("ll", "2", range(1, 50), 1, 900.0, 0, 0, 900, 100, 1000.0, 0),
                new PageFigures("ll", "1", range(1000, 1099), 0, 800.0, 1, 0, 10, 0, 1000.0, 1),
                new PageFigures("ll", "2", range(51, 100), 2, 1200.0, 2, 1, 100, 900, 2000.0, 2),
                new PageFigures("rt", "1", List.of(80.0), 0, null, 0, 0, -1, 0, null, 0)));
    assertThat(t.fieldNames()).toIterable().containsExactly("ll", "rt");
    assertThat(t.path("ll").fieldNames()).toIterable().containsExactly("1", "2");
    ObjectNode d2 = (ObjectNode) t.path("ll").path("2");
    assertThat(d2.path("pages").asInt()).isEqualTo(2);
    assertThat(d2.path("glassToGlass").path("count").asInt()).isEqualTo(100);
    assertThat(d2.path("glassToGlass").path("p50Ms").asDouble()).isBetween(49.0, 51.0);
    assertThat(d2.path("glassToGlass").path("p95Ms").asDouble()).isBetween(94.0, 96.0);
    assertThat(d2.path("unreadableFrames").asInt()).isEqualTo(3);
    assertThat(d2.path("stallsAfterStart").asInt()).isEqualTo(2);
    assertThat(d2.path("stallsInWindow").asInt()).isEqualTo(1);
    assertThat(d2.path("stallsWhileAnotherPageStarted").asInt()).isEqualTo(2);
    // bytes, not pages: 1000 of 2000 came down the tree
    assertThat(d2.path("p2pShare").asDouble()).isEqualTo(0.5);
    // the slowest page's first frame
    assertThat(d2.path("firstFrameMs").asLong()).isEqualTo(1200);
    assertThat(d2.path("hlsTargetLatencyMs").asLong()).isEqualTo(2000);
    assertThat(DepthTable.at(t, "ll", "1", "p50Ms").getAsDouble()).isBetween(1049.0, 1050.5);
    // realtime has no HTTP path: no share to give
    assertThat(t.path("rt").path("1").path("p2pShare").isNull()).isTrue();
    assertThat(t.path("rt").path("1").path("firstFrameMs").isNull()).isTrue();
    assertThat(t.path("rt").path("1").has("hlsTargetLatencyMs")).isFalse();
    assertThat(DepthTable.at(t, "rt", "3", "p50Ms")).isEmpty();
  }
}

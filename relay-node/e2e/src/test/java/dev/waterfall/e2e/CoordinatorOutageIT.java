package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.Relay;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the stream keeps flowing while the coordinator is down")
class CoordinatorOutageIT {

  @Test
  void theDataPlaneDoesNotNeedTheCoordinator() throws Exception {
    try (StreamRig rig = new StreamRig()) {
      String key = rig.createStream("outage", 1);
      Relay origin = rig.origin("outage", key);
      Relay top = rig.booster("outage");
      Relay bottom = rig.booster("outage");
      awaitAtLeast(bottom, 3);
      String parentBefore = bottom.node().parentId();
      long newestBefore = newest(bottom);
      double fallbackBefore = StreamRig.metric(bottom, "waterfall_relay_bytes_fallback_total");

      rig.coordinator.stop(); // every signalling socket drops; the peer links do not depend on it

      long deadline = System.currentTimeMillis() + 40_000;
      while (newest(bottom) < newestBefore + 5 && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
      }
      List<Long> held = StreamRig.sequences(bottom, "outage");
      assertThat(newest(bottom))
          .as("new segments arrived with no coordinator")
          .isGreaterThanOrEqualTo(newestBefore + 5);
      assertThat(held).as("none missing").isEqualTo(range(held.get(0), held.get(held.size() - 1)));
      assertThat(bottom.node().parentId()).as("same parent, same link").isEqualTo(parentBefore);
      assertThat(StreamRig.metric(bottom, "waterfall_relay_bytes_fallback_total"))
          .as("fed by its parent, not by HTTP")
          .isEqualTo(fallbackBefore);
      for (long seq : held) {
        assertThat(StreamRig.segment(bottom, "outage", seq))
            .isEqualTo(StreamRig.segment(origin, "outage", seq));
      }
    }
  }

  private static long newest(Relay relay) {
    List<Long> s = StreamRig.sequences(relay, "outage");
    return s.isEmpty() ? -1 : s.get(s.size() - 1);
  }

  private static void awaitAtLeast(Relay relay, int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 40_000;
    while (StreamRig.sequences(relay, "outage").size() < count
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(250);
    }
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(s);
    }
    return out;
  }
}

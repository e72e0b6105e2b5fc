package dev.waterfall.loadtest.kit.chromium;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbeTest {
  @Test
  void distanceIsNowMinusWhenTheShownFrameWasProduced() {
    // Segment produced (complete at the origin) at t=10,000 and 2 s long: its first frame happened
    // at 8,000;
    // 0.5 s into it the frame shown happened at 8,500; at now = 15,000 that is 6.5 s behind live.
    assertThat(Probe.distanceBehindLive(15_000, 10_000, 2000, 100.5, 100.0)).hasValue(6500.0);
    assertThat(Probe.distanceBehindLive(15_000, 10_000, 2000, 100.0, 100.0)).hasValue(7000.0);
    assertThat(Probe.distanceBehindLive(15_000, 10_000, 2000, 102.0, 100.0)).hasValue(5000.0);
  }

  @Test
  void aPositionOutsideTheFragmentIsAStaleReadingNotAFigure() {
    assertThat(Probe.distanceBehindLive(15_000, 10_000, 2000, 99.0, 100.0)).isEmpty();
    assertThat(Probe.distanceBehindLive(15_000, 10_000, 2000, 102.5, 100.0)).isEmpty();
    // within the slack (fragment boundaries as hls.js reports them are approximate)
    assertThat(Probe.distanceBehindLive(15_000, 10_000, 2000, 99.9, 100.0)).isPresent();
  }

  @Test
  void readsWhatThePageReturnsWithJavaScriptNumberTypes() {
    Map<String, Object> m = new HashMap<>();
    m.put("nowMillis", 1.7e12); // Playwright hands big integers over as doubles
    m.put("mode", "p2p");
    m.put("startedAt", 812.4);
    m.put("firstFrame", Map.of("presentedAt", 790.25));
    m.put("rvfc", true);
    m.put("stalls", 2);
    m.put("currentTime", 31.5);
    m.put("paused", false);
    m.put("frag", Map.of("sn", 881_234_567, "start", 30.0, "duration", 2.0));
    m.put("depth", 3);
    m.put("bytesFromParent", 1000);
    m.put("bytesByFallback", 0);
    m.put("bytesSentToChildren", 0);
    m.put("children", 0);
    m.put("header", Map.of("producedAtMillis", 1.7e12 - 7000, "durationMillis", 2000));
    m.put("arrivals", List.of(List.of(881_234_567, 1.7e12 - 7000, 1.7e12 - 6950)));
    Probe p = Probe.from(m);
    assertThat(p.firstFrameOrPlaying()).isEqualTo(790.25);
    assertThat(p.depth()).isEqualTo(3);
    assertThat(p.fragSn()).isEqualTo(881_234_567L);
    // complete 7 s ago and 2 s long, so it began 9 s ago; 1.5 s into it: the frame shown is 7.5 s
    // old
    assertThat(p.liveDistanceMillis()).hasValue(7500.0);
    assertThat(p.arrivals())
        .singleElement()
        .satisfies(a -> assertThat(a.delayMillis()).isEqualTo(50));
  }

  @Test
  void withoutAFrameCallbackFirstFrameFallsBackToPlaying() {
    Map<String, Object> m = new HashMap<>();
    m.put("nowMillis", 1);
    m.put("startedAt", 900.0);
    m.put("rvfc", false);
    m.put("currentTime", 0);
    Probe p = Probe.from(m);
    assertThat(p.firstFrameOrPlaying()).isEqualTo(900.0);
    assertThat(p.liveDistanceMillis()).isEmpty(); // a plain page has no header store
    assertThat(p.arrivals()).isEmpty();
  }
}

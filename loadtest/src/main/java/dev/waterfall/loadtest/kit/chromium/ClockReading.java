package dev.waterfall.loadtest.kit.chromium;

import com.microsoft.playwright.Page;
import java.util.List;
import java.util.Map;

/**
 * Glass-to-glass latency read in a page off its own video element by rt/clock.js's reader (the
 * picture carries the sender's wall clock; one machine, one clock): every frame it shows over a
 * window, in ms, and the frames it could not read.
 */
public record ClockReading(List<Double> samples, int unreadable) {

  /** Starts sampling what {@code page}'s window.waterfall.video shows for {@code millis}. */
  public static void start(Page page, int millis) {
    page.evaluate(
        "ms => { window.__latency = import('/web/rt/clock.js')"
            + ".then(m => m.measure(window.waterfall.video, ms)); }",
        millis);
  }

  /** What {@link #start} sampled, waiting for its window to end. */
  public static ClockReading collect(Page page) {
    Map<?, ?> r = (Map<?, ?>) page.evaluate("() => window.__latency");
    List<Double> samples =
        ((List<?>) r.get("samples")).stream().map(x -> ((Number) x).doubleValue()).toList();
    return new ClockReading(samples, ((Number) r.get("unreadable")).intValue());
  }
}

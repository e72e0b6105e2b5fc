package dev.waterfall.loadtest.kit.chromium;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Latency;
import java.util.Collection;
import org.HdrHistogram.Histogram;

/**
 * Summaries of millisecond samples (first frames, distances behind live), through report/Latency's
 * histograms.
 */
public final class Spread {
  private Spread() {}

  static Histogram histogram(Collection<Double> millis) {
    Histogram h = Latency.histogram();
    for (double ms : millis) {
      h.recordValue(Math.max(0, Math.round(ms * 1_000_000)));
    }
    return h;
  }

  /** Value at {@code percentile} (0..100) in ms; NaN without samples. */
  public static double percentile(Collection<Double> millis, double percentile) {
    return millis.isEmpty()
        ? Double.NaN
        : Latency.at(histogram(millis), percentile, Latency.Unit.MILLIS);
  }

  /** count, p50Ms, p95Ms, minMs, maxMs; only count when empty. */
  public static ObjectNode summary(Collection<Double> millis) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("count", millis.size());
    if (millis.isEmpty()) {
      return o;
    }
    Histogram h = histogram(millis);
    o.put("p50Ms", Latency.at(h, 50, Latency.Unit.MILLIS));
    o.put("p95Ms", Latency.at(h, 95, Latency.Unit.MILLIS));
    o.put("minMs", Latency.at(h, 0, Latency.Unit.MILLIS));
    o.put("maxMs", Latency.at(h, 100, Latency.Unit.MILLIS));
    return o;
  }

  /** a ÷ b to two decimals; NaN when either is missing or b is 0. */
  public static double ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
      return Double.NaN;
    }
    return Math.round(a / b * 100) / 100.0;
  }
}

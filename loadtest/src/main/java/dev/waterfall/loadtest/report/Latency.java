package dev.waterfall.loadtest.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/**
 * Latency histograms: every scenario records nanoseconds and reports in the unit people read for
 * that scenario (µs for an entry processor, ms for a WebSocket round trip), so figures are never
 * converted twice.
 */
public final class Latency {
  /** The unit a summary is written in; its suffix ends every key ("p99Us", "p99Ms"). */
  public enum Unit {
    MICROS("Us", 1_000.0),
    MILLIS("Ms", 1_000_000.0);

    final String suffix;
    final double nanos;

    Unit(String suffix, double nanos) {
      this.suffix = suffix;
      this.nanos = nanos;
    }
  }

  private Latency() {}

  /** 3 significant digits, auto-resizing: a 10 s stall is recorded, not thrown away. */
  public static Histogram histogram() {
    return new Histogram(3);
  }

  /** Value at {@code percentile} (0..100) in the given unit, rounded to 0.1. */
  public static double at(Histogram h, double percentile, Unit unit) {
    return round(h.getValueAtPercentile(percentile) / unit.nanos);
  }

  /** count, mean, p50, p90, p99, p99.9 and max; an empty histogram gives only {"count":0}. */
  public static ObjectNode summary(Histogram h, Unit unit) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return out;
    }
    out.put("mean" + unit.suffix, round(h.getMean() / unit.nanos));
    out.put("p50" + unit.suffix, at(h, 50, unit));
    out.put("p90" + unit.suffix, at(h, 90, unit));
    out.put("p99" + unit.suffix, at(h, 99, unit));
    out.put("p999" + unit.suffix, at(h, 99.9, unit));
    out.put("max" + unit.suffix, round(h.getMaxValue() / unit.nanos));
    return out;
  }

  /** Operations per second for {@code count} operations in {@code nanos}, whole numbers. */
  public static long perSecond(long count, long nanos) {
    return nanos <= 0 ? 0 : Math.round(count * 1e9 / nanos);
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}

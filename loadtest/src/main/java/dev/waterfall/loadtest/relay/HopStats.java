package dev.waterfall.loadtest.relay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * Per-hop and end-to-end latencies of a chain, from the times (one clock, epoch ms) each segment
 * reached a stage at each depth: {@code times[segment][depth]}, depth 0 the origin, -1 where it
 * never did. Pure arithmetic, so it is unit-tested apart from WebRTC.
 */
final class HopStats {
  private final long[][] times;
  private final int depths;

  HopStats(long[][] times) {
    this.times = times;
    this.depths = times.length == 0 ? 0 : times[0].length - 1;
  }

  int segments() {
    return times.length;
  }

  /** Segments that reached every depth. */
  int completeEverywhere() {
    return (int) Arrays.stream(times).filter(t -> Arrays.stream(t).allMatch(v -> v >= 0)).count();
  }

  /** Added at hop {@code d} (d-1 → d), over segments seen at both ends, sorted ascending. */
  long[] hop(int d) {
    return Arrays.stream(times)
        .filter(t -> t[d] >= 0 && t[d - 1] >= 0)
        .mapToLong(t -> t[d] - t[d - 1])
        .sorted()
        .toArray();
  }

  /** From the origin (depth 0) to depth d, over segments seen at both, sorted ascending. */
  long[] fromOrigin(int d) {
    return Arrays.stream(times)
        .filter(t -> t[d] >= 0 && t[0] >= 0)
        .mapToLong(t -> t[d] - t[0])
        .sorted()
        .toArray();
  }

  /** Nearest-rank percentile of sorted values (p in 0..100); NaN when empty. */
  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static ObjectNode summary(long[] sorted) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("count", sorted.length);
    if (sorted.length > 0) {
      o.put("p50Ms", percentile(sorted, 50));
      o.put("p95Ms", percentile(sorted, 95));
      o.put("minMs", sorted[0]);
      o.put("maxMs", sorted[sorted.length - 1]);
      o.put("meanMs", Math.round(Arrays.stream(sorted).average().orElse(0) * 10) / 10.0);
    }
    return o;
  }

  /** {"1": {p50Ms…}, "2": …} for each hop. */
  ObjectNode hops() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    for (int d = 1; d <= depths; d++) {
      o.set(Integer.toString(d), summary(hop(d)));
    }
    return o;
  }

  ObjectNode fromOrigin() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    for (int d = 1; d <= depths; d++) {
      o.set(Integer.toString(d), summary(fromOrigin(d)));
    }
    return o;
  }

  /** The worst per-depth median hop: the figure the "≤ 10 ms per hop" target is read against. */
  double worstHopP50() {
    double worst = Double.NaN;
    for (int d = 1; d <= depths; d++) {
      double p = percentile(hop(d), 50);
      worst = Double.isNaN(worst) || p > worst ? p : worst;
    }
    return worst;
  }
}

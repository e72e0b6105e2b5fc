package dev.waterfall.loadtest.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Latency;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one batch of joins measured. {@code depthOne}: ids placed directly under the root,
 * remembered so the removal phase can take out the largest subtrees without a snapshot.
 */
record JoinRun(int count, long nanos, Histogram latencies, List<String> depthOne, int maxDepth) {

  long perSecond() {
    return Latency.perSecond(count, nanos);
  }

  ObjectNode toJson(ObjectNode out) {
    out.put("joins", count);
    out.put("seconds", Math.round(nanos / 1e6) / 1e3);
    out.put("joinsPerSecond", perSecond());
    out.set("latency", Latency.summary(latencies, Latency.Unit.MICROS));
    out.put("maxDepth", maxDepth);
    return out;
  }
}

package dev.waterfall.loadtest.relaytree;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import java.util.List;

/**
 * Bytes: the fallback share, and the origin's egress against one copy of the stream over the
 * window.
 */
final class EgressFigures {
  private EgressFigures() {}

  /**
   * Fills relayBytes, fallbackShare, origin bytes, originEgressRatio, offload; returns the ratio.
   */
  static double put(
      ObjectNode figures, List<HostProcess> hosts, Topology topology, Window w, int segmentBytes) {
    long fromParent = 0;
    long fallback = 0;
    ArrayNode perRelay = figures.putArray("relayBytes");
    for (HostProcess h : hosts) {
      long[] a = h.log.bytesAt(w.startMillis());
      long[] b = h.log.bytesAt(w.endMillis());
      fromParent += b[0] - a[0];
      fallback += b[1] - a[1];
      perRelay
          .addObject()
          .put("node", h.log.nodeId())
          .put("depthAtEnd", topology.depthAt(h.log.nodeId(), w.endMillis()))
          .put("killed", h.killedAtMillis() >= 0)
          .put("fromParent", b[0] - a[0])
          .put("fallback", b[1] - a[1]);
    }
    long produced =
        w.originAt().values().stream()
            .filter(t -> t >= w.startMillis() && t < w.endMillis())
            .count();
    double oneCopy = (double) produced * segmentBytes;
    figures.put(
        "fallbackShare",
        fromParent + fallback == 0
            ? Double.NaN
            : Math.round((double) fallback / (fromParent + fallback) * 100_000) / 100_000.0);
    figures.put("originDataChannelBytes", Math.round(w.originSent()));
    figures.put("fallbackBytesFromOrigin", fallback);
    figures.put("segmentsProducedInWindow", produced);
    double ratio =
        oneCopy == 0 ? Double.NaN : Math.round((w.originSent() + fallback) / oneCopy * 100) / 100.0;
    figures.put("originEgressRatio", ratio);
    figures.put(
        "offload",
        fromParent + fallback == 0
            ? Double.NaN
            : Math.round(
                    (1 - (w.originSent() + fallback) / (double) (fromParent + fallback)) * 10_000)
                / 10_000.0);
    figures.put("originChildrenMean", Math.round(w.originChildren().getMean() * 100) / 100.0);
    figures.put("originChildrenMin", w.originChildren().getMinValue());
    figures.put("originChildrenMax", w.originChildren().getMaxValue());
    return ratio;
  }
}

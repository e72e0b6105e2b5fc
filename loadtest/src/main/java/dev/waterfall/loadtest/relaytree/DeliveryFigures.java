package dev.waterfall.loadtest.relaytree;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import dev.waterfall.loadtest.report.Latency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Latency by depth and continuity over every (relay, segment) the relay should have played:
 * published in the window after the relay's first segment, due before its kill or the window's end.
 */
final class DeliveryFigures {
  private DeliveryFigures() {}

  /**
   * Fills latencyByDepth, segmentsDue/OnTime/NeverComplete, stalls, continuity, maxDepth; returns
   * continuity.
   */
  static double put(
      ObjectNode figures,
      List<HostProcess> hosts,
      Topology topology,
      Window w,
      long playbackDelayMs) {
    Map<Integer, Histogram> byDepth = new TreeMap<>();
    long due = 0;
    long onTime = 0;
    long missing = 0;
    int maxDepth = 0;
    for (HostProcess h : hosts) {
      long first = h.log.firstSegmentAtMillis();
      if (h.log.nodeId() == null || first < 0) {
        continue;
      }
      Map<Long, Long> segs = h.log.segments();
      long last =
          h.killedAtMillis() < 0 ? w.endMillis() : Math.min(w.endMillis(), h.killedAtMillis());
      for (Map.Entry<Long, Long> o : w.originAt().entrySet()) {
        long published = o.getValue();
        if (published < w.startMillis()
            || published < first
            || published + playbackDelayMs > last) {
          // before the window or its start, or due after it was killed or the window ended
          continue;
        }
        due++;
        Long complete = segs.get(o.getKey());
        if (complete == null) {
          missing++;
          continue;
        }
        if (complete <= published + playbackDelayMs) {
          onTime++;
        }
        int depth = topology.depthAt(h.log.nodeId(), complete);
        maxDepth = Math.max(maxDepth, depth);
        byDepth
            .computeIfAbsent(depth, d -> Latency.histogram())
            .recordValue(Math.max(0, complete - published) * 1_000_000);
      }
    }
    ArrayNode lat = figures.putArray("latencyByDepth");
    for (Map.Entry<Integer, Histogram> e : byDepth.entrySet()) {
      ObjectNode row = lat.addObject();
      row.put("depth", e.getKey());
      row.setAll(Latency.summary(e.getValue(), Latency.Unit.MILLIS));
    }
    figures.put("segmentsDue", due);
    figures.put("segmentsOnTime", onTime);
    figures.put("segmentsNeverComplete", missing);
    figures.put("stalls", due - onTime);
    double continuity =
        due == 0 ? Double.NaN : Math.round((double) onTime / due * 100_000) / 100_000.0;
    figures.put("continuity", continuity);
    figures.put("maxDepth", maxDepth);
    return continuity;
  }
}

package dev.waterfall.loadtest.browsers;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.Probe;
import dev.waterfall.loadtest.kit.chromium.Spread;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Segment arrival by depth: how long after the origin produced a segment its last chunk was in a
 * page's store. Unlike the distance behind live (mostly where hls.js chose to start), this is the
 * delivery cost of each hop. Every probe lists the whole store, so each (page, sequence) is kept
 * once; segments produced before {@code sinceMillis} are left out (a joining page gets the parent's
 * backlog at once, which says nothing of delay).
 */
final class Arrivals {
  private final long sinceMillis;
  private final Map<String, Map<Long, Double>> byPage = new HashMap<>();
  private final Map<String, Integer> depthOf = new HashMap<>();

  Arrivals(long sinceMillis) {
    this.sinceMillis = sinceMillis;
  }

  void add(String page, Integer depth, List<Probe.Arrival> arrivals) {
    if (depth == null) {
      return;
    }
    depthOf.put(page, depth);
    Map<Long, Double> seen = byPage.computeIfAbsent(page, p -> new HashMap<>());
    for (Probe.Arrival a : arrivals) {
      if (a.producedAtMillis() >= sinceMillis && a.completeAtMillis() > 0) {
        seen.putIfAbsent(a.sequence(), (double) a.delayMillis());
      }
    }
  }

  /** Delays by depth (the depth each page last reported), ms. */
  Map<Integer, List<Double>> byDepth() {
    Map<Integer, List<Double>> out = new TreeMap<>();
    byPage.forEach(
        (page, seqs) ->
            out.computeIfAbsent(depthOf.get(page), d -> new ArrayList<>()).addAll(seqs.values()));
    return out;
  }

  ObjectNode summary() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    byDepth().forEach((d, v) -> o.set(String.valueOf(d), Spread.summary(v)));
    return o;
  }
}

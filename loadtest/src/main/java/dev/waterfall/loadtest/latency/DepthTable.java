package dev.waterfall.loadtest.latency;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.Spread;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The pages' figures grouped by mode, then depth: glass-to-glass over every frame the pages at that
 * depth showed, their slowest first frame, their stalls, the share of bytes that came down the
 * tree, and the highest target latency hls.js held (it raises it by a second a stall). Pure.
 */
final class DepthTable {
  private DepthTable() {}

  /** mode → depth → figures, modes in the order first met, depths in order. */
  static ObjectNode of(List<PageFigures> pages) {
    Map<String, Map<String, List<PageFigures>>> grouped = new LinkedHashMap<>();
    for (PageFigures p : pages) {
      grouped
          .computeIfAbsent(p.mode(), m -> new TreeMap<>())
          .computeIfAbsent(p.depth(), d -> new ArrayList<>())
          .add(p);
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    grouped.forEach(
        (mode, depths) -> {
          ObjectNode m = out.putObject(mode);
          depths.forEach((depth, at) -> m.set(depth, cell(at)));
        });
    return out;
  }

  private static ObjectNode cell(List<PageFigures> pages) {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    List<Double> samples = new ArrayList<>();
    int unreadable = 0;
    int stalls = 0;
    int stallsInWindow = 0;
    int whileStarting = 0;
    long tree = 0;
    long http = 0;
    boolean hasShare = false;
    Double firstFrame = null;
    Double target = null;
    for (PageFigures p : pages) {
      if (p.hlsTargetMs() != null && (target == null || p.hlsTargetMs() > target)) {
        target = p.hlsTargetMs();
      }
      samples.addAll(p.glassToGlassMs());
      unreadable += p.unreadable();
      stalls += p.stallsAfterStart();
      stallsInWindow += p.stallsInWindow();
      whileStarting += p.stallsWhileAnotherStarted();
      if (p.bytesFromParent() >= 0) {
        hasShare = true;
        tree += p.bytesFromParent();
        http += p.bytesByHttp();
      }
      if (p.firstFrameMs() != null && (firstFrame == null || p.firstFrameMs() > firstFrame)) {
        firstFrame = p.firstFrameMs();
      }
    }
    c.put("pages", pages.size());
    c.set("glassToGlass", Spread.summary(samples));
    c.put("unreadableFrames", unreadable);
    c.put("stallsAfterStart", stalls);
    c.put("stallsInWindow", stallsInWindow);
    c.put("stallsWhileAnotherPageStarted", whileStarting);
    if (hasShare) {
      c.put("p2pShare", tree + http == 0 ? 0 : round3((double) tree / (tree + http)));
    } else {
      c.putNull("p2pShare");
    }
    if (firstFrame == null) {
      c.putNull("firstFrameMs");
    } else {
      c.put("firstFrameMs", Math.round(firstFrame));
    }
    if (target != null) {
      c.put("hlsTargetLatencyMs", Math.round(target));
    }
    return c;
  }

  /** A cell's glass-to-glass percentile ("p50Ms", "p95Ms"), if the table has it. */
  static OptionalDouble at(ObjectNode table, String mode, String depth, String percentile) {
    var v = table.path(mode).path(depth).path("glassToGlass").path(percentile);
    return v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}

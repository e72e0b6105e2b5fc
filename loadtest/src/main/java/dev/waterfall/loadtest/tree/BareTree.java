package dev.waterfall.loadtest.tree;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import dev.waterfall.tree.Move;
import dev.waterfall.tree.NodeSpec;
import dev.waterfall.tree.RepairStrategies;
import dev.waterfall.tree.Role;
import dev.waterfall.tree.StreamTree;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The same joins and removals on a bare {@link StreamTree}, no Hazelcast: the difference to the
 * entry processor figures is what the map, the partition thread and the result serialisation cost.
 */
final class BareTree {
  private BareTree() {}

  static ObjectNode joins(
      List<Integer> sizes, int maxChildren, int warmup, Progress progress, Deadline deadline) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    progress.phase("bare warm-up", warmup);
    fill(maxChildren, warmup, null, progress);
    for (int n : sizes) {
      if (deadline.passed()) {
        break;
      }
      System.gc();
      progress.phase("bare joins " + n, n);
      Histogram h = Latency.histogram();
      long start = System.nanoTime();
      fill(maxChildren, n, h, progress);
      long nanos = System.nanoTime() - start;
      ObjectNode o = out.putObject(Integer.toString(n));
      o.put("joinsPerSecond", Latency.perSecond(n, nanos));
      o.set("latency", Latency.summary(h, Latency.Unit.MICROS));
    }
    return out;
  }

  /**
   * Removal of each depth-1 node's first one, per strategy, on a fresh tree; validated afterwards.
   */
  static ObjectNode removals(
      List<String> strategies, int maxChildren, int size, Progress progress, Deadline deadline) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String name : strategies) {
      if (deadline.passed()) {
        break;
      }
      progress.phase("bare removal " + name, 10_000 + size);
      // Warm the strategy's code on a small tree first, as the Hazelcast variant does.
      StreamTree warm = fill(maxChildren, 10_000, null, progress);
      warm.remove(depthOne(warm).get(0), RepairStrategies.byName(name));
      StreamTree tree = fill(maxChildren, size, null, progress);
      System.gc();
      String victim = depthOne(tree).get(0);
      long t0 = System.nanoTime();
      List<Move> moves = tree.remove(victim, RepairStrategies.byName(name));
      long nanos = System.nanoTime() - t0;
      tree.validate();
      ObjectNode o = out.putObject(name);
      o.put("ms", Math.round(nanos / 1e4) / 100.0);
      o.put("moves", moves.size());
      o.put("maxDepthAfter", tree.maxDepth());
      o.put("validated", true);
    }
    return out;
  }

  private static StreamTree fill(int maxChildren, int n, Histogram h, Progress progress) {
    StreamTree tree = new StreamTree("bare", "origin", maxChildren, Member.BITRATE_KBPS, 0);
    for (int i = 0; i < n; i++) {
      NodeSpec spec = new NodeSpec("v" + i, Role.VIEWER, maxChildren, i, Member.OWNER);
      if (h == null) {
        tree.join(spec);
      } else {
        long t0 = System.nanoTime();
        tree.join(spec);
        h.recordValue(System.nanoTime() - t0);
      }
      if ((i & 1023) == 1023) {
        progress.add(1024);
      }
    }
    return tree;
  }

  private static List<String> depthOne(StreamTree tree) {
    List<String> ids = new ArrayList<>(tree.node(tree.rootId()).childIds());
    if (ids.isEmpty()) {
      throw new IllegalStateException("tree has no depth-1 node");
    }
    return ids;
  }
}

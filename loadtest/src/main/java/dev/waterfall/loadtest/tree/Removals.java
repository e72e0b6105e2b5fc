package dev.waterfall.loadtest.tree;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.coordinator.cluster.Outcomes;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.util.Arrays;
import java.util.List;

/**
 * The worst single departure: a depth-1 node, whose subtree is about a quarter of the tree. One
 * fresh tree per strategy (a strategy's repairs change the shape the next would see), each
 * strategy's code warmed first on a small tree so the figure is the steady-state cost, not the
 * JIT's.
 */
final class Removals {
  private static final int WARMUP_SIZE = 10_000;

  private Removals() {}

  /** Per strategy: every removal's ms, moves and subtree size, and the max over them. */
  static ObjectNode run(
      Member m,
      List<String> strategies,
      int size,
      int removals,
      Progress progress,
      Deadline deadline) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("treeSize", size);
    for (String strategy : strategies) {
      if (deadline.passed()) {
        break;
      }
      progress.phase("removal warm-up " + strategy, WARMUP_SIZE);
      String warm = "rm-warm-" + strategy;
      m.create(warm);
      JoinRun w = HazelcastJoins.sequential(m, warm, "v", WARMUP_SIZE, progress, deadline);
      for (String id : w.depthOne()) {
        m.remove(warm, id, strategy);
      }
      m.drop(warm);

      String stream = "rm-" + strategy;
      m.create(stream);
      progress.phase("removal build " + strategy, size);
      JoinRun built = HazelcastJoins.sequential(m, stream, "v", size, progress, deadline);
      System.gc(); // the build's garbage should not be collected inside the timed removal
      progress.phase("removal " + strategy, Math.min(removals, built.depthOne().size()));
      ObjectNode s = out.putObject(strategy);
      ArrayNode list = s.putArray("removals");
      double[] ms = new double[Math.min(removals, built.depthOne().size())];
      for (int i = 0; i < ms.length; i++) {
        String id = built.depthOne().get(i);
        int subtree = Subtrees.size(m.snapshot(stream), id);
        long t0 = System.nanoTime();
        Outcomes.Removed r = m.remove(stream, id, strategy);
        long nanos = System.nanoTime() - t0;
        ms[i] = nanos / 1e6;
        ObjectNode one = list.addObject();
        one.put("subtreeSize", subtree);
        one.put("ms", Math.round(ms[i] * 100) / 100.0);
        one.put("moves", r.moves().size());
        one.put("sizeAfter", r.shape().size());
        one.put("maxDepthAfter", r.shape().maxDepth());
        progress.step();
      }
      if (ms.length > 0) {
        s.put("firstMs", Math.round(ms[0] * 100) / 100.0);
        s.put("firstMoves", list.get(0).get("moves").asInt());
        s.put("maxMs", Math.round(Arrays.stream(ms).max().orElse(0) * 100) / 100.0);
      }
      m.drop(stream);
    }
    return out;
  }
}

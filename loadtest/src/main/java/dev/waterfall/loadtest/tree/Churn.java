package dev.waterfall.loadtest.tree;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.coordinator.cluster.Outcomes;
import dev.waterfall.loadtest.report.Latency;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Viewers come and go at a steady size: each op is, with equal odds, the removal of a uniformly
 * random node (mostly leaves, as in a real audience) or a new join. Seeded, so two runs see the
 * same sequence.
 */
final class Churn {
  private Churn() {}

  static ObjectNode run(
      Member m,
      int size,
      int ops,
      String strategy,
      long seed,
      Progress progress,
      Deadline deadline) {
    String stream = "churn";
    m.create(stream);
    progress.phase("churn build", size);
    HazelcastJoins.sequential(m, stream, "v", size, progress, deadline);
    List<String> present = new ArrayList<>(size + ops);
    for (int i = 0; i < size; i++) {
      present.add("v" + i);
    }
    System.gc();
    progress.phase("churn", ops);
    Random random = new Random(seed);
    Histogram joins = Latency.histogram();
    Histogram removes = Latency.histogram();
    long moves = 0;
    int repairs = 0;
    int next = 0;
    long start = System.nanoTime();
    int done = 0;
    for (; done < ops && !(done % 1024 == 0 && deadline.passed()); done++) {
      if (random.nextBoolean() && !present.isEmpty()) {
        int at = random.nextInt(present.size());
        String id = present.get(at);
        present.set(at, present.get(present.size() - 1)); // O(1) removal; order does not matter
        present.remove(present.size() - 1);
        long t0 = System.nanoTime();
        Outcomes.Removed r = m.remove(stream, id, strategy);
        removes.recordValue(System.nanoTime() - t0);
        moves += r.moves().size();
        repairs += r.moves().isEmpty() ? 0 : 1;
      } else {
        String id = "c" + next++;
        long t0 = System.nanoTime();
        m.join(stream, id, size + next);
        joins.recordValue(System.nanoTime() - t0);
        present.add(id);
      }
      progress.step();
    }
    long nanos = System.nanoTime() - start;
    Outcomes.Shape shape = m.shape(stream);
    m.drop(stream);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("startSize", size);
    out.put("ops", done);
    out.put("strategy", strategy);
    out.put("opsPerSecond", Latency.perSecond(done, nanos));
    out.set("join", Latency.summary(joins, Latency.Unit.MICROS));
    out.set("remove", Latency.summary(removes, Latency.Unit.MICROS));
    out.put("removalsThatMovedNodes", repairs);
    out.put("moves", moves);
    out.put("endSize", shape.size());
    out.put("endMaxDepth", shape.maxDepth());
    return out;
  }
}

package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Behaviour at scale: 100k nodes, a 46k-node subtree removed, a 50k-deep chain. Timings are printed
 * for the curious but never asserted: speed targets are measured by {@code ./waterfall loadtest
 * tree}.
 */
@DisplayName("large trees")
class LargeTreeTest {
  private static final int NODES = 100_000;

  private static StreamTree grow(String stream, long[] latencies) {
    StreamTree tree = new StreamTree(stream, "origin", 4, 2500, 0);
    for (int i = 0; i < NODES; i++) {
      NodeSpec spec =
          new NodeSpec(
              "n" + i,
              i % 50 == 0 ? Role.BOOSTER : Role.VIEWER,
              i % 10 == 0 ? 0 : 4,
              i,
              "c" + (i % 4));
      long start = System.nanoTime();
      tree.join(spec);
      if (latencies != null) {
        latencies[i] = System.nanoTime() - start;
      }
    }
    return tree;
  }

  @Test
  void joinsAndLargeSubtreeRemoval() throws IOException {
    grow("warm-up", null);
    long[] latencies = new long[NODES];
    long start = System.nanoTime();
    StreamTree tree = grow("measured", latencies);
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(latencies);
    double joinsPerSecond = NODES / seconds;
    double p99Micros = latencies[(int) (NODES * 0.99)] / 1000.0;
    System.out.printf(
        Locale.ROOT,
        "joins: %.0f/s, p50 %.1f µs, p99 %.1f µs, max %.1f µs, depth %d%n",
        joinsPerSecond,
        latencies[NODES / 2] / 1000.0,
        p99Micros,
        latencies[NODES - 1] / 1000.0,
        tree.maxDepth());
    tree.validate();
    assertThat(tree.size()).isEqualTo(NODES + 1);

    byte[] snapshot = CodecTest.bytes(tree);
    System.out.printf(
        Locale.ROOT,
        "serialised: %d bytes (%.1f per node)%n",
        snapshot.length,
        (double) snapshot.length / NODES);
    String victim = null;
    for (String child : tree.node(tree.rootId()).childIds()) {
      if (victim == null || subtreeSize(tree, child) > subtreeSize(tree, victim)) {
        victim = child;
      }
    }
    for (String name : RepairStrategies.names()) {
      StreamTree copy = CodecTest.read(snapshot);
      int subtree = subtreeSize(copy, victim);
      long t0 = System.nanoTime();
      int moves = copy.remove(victim, RepairStrategies.byName(name)).size();
      double millis = (System.nanoTime() - t0) / 1e6;
      System.out.printf(
          Locale.ROOT,
          "remove depth-1 node with %d-node subtree, %s: %.2f ms, %d moves, "
              + "%d depth changes%n",
          subtree,
          name,
          millis,
          moves,
          copy.lastDepthChanges);
      copy.validate();
      if (name.equals("leaf-swap")) {
        // The default keeps every subtree where it is: orphans plus the one leaf that fills the
        // hole.
        assertThat(moves).isLessThanOrEqualTo(5);
        assertThat(copy.lastDepthChanges).isLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void chainOfCapacityOneNodesStaysCheap() throws IOException {
    StreamTree chain = new StreamTree("chain", "origin", 1, 2500, 0);
    long start = System.nanoTime();
    for (int i = 0; i < 50_000; i++) {
      chain.join(NodeSpec.viewer("n" + i, 1, i));
    }
    chain.remove("n25000", RepairStrategies.defaultStrategy());
    StreamTree copy = CodecTest.read(CodecTest.bytes(chain));
    copy.validate();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT, "50k-deep chain: joins, removal and round trip in %.2f s%n", seconds);
    assertThat(copy.maxDepth()).isEqualTo(49_999);
  }

  private static int subtreeSize(StreamTree tree, String id) {
    int count = 1;
    for (String child : tree.node(id).childIds()) {
      count += subtreeSize(tree, child);
    }
    return count;
  }
}

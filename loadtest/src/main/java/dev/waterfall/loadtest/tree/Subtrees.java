package dev.waterfall.loadtest.tree;

import dev.waterfall.coordinator.cluster.NodeView;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Subtree sizes from a snapshot: what a removal has to repair. */
final class Subtrees {
  private Subtrees() {}

  /** Nodes in {@code id}'s subtree, itself included; 0 if absent. */
  static int size(List<NodeView> snapshot, String id) {
    Map<String, NodeView> byId = new HashMap<>(snapshot.size() * 2);
    for (NodeView v : snapshot) {
      byId.put(v.id(), v);
    }
    if (!byId.containsKey(id)) {
      return 0;
    }
    int count = 0;
    ArrayDeque<String> queue = new ArrayDeque<>();
    queue.add(id);
    while (!queue.isEmpty()) {
      NodeView v = byId.get(queue.poll());
      count++;
      queue.addAll(v.children());
    }
    return count;
  }
}

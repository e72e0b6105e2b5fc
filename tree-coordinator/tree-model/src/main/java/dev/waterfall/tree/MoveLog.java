package dev.waterfall.tree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Collects the parent changes of one mutation and reports them as net {@link Move}s: each node at
 * most once, with its final parent, and none for a node that ended where it started or left the
 * tree. The coordinator turns each move into one new connection, so intermediate hops must not leak
 * out.
 */
final class MoveLog {
  private final Map<Node, String> originalParents = new LinkedHashMap<>();
  private final Set<Node> evicted = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * Depth before the mutation of every node whose depth was touched: its latency changes, not its
   * edge.
   */
  private final Map<Node, Integer> originalDepths = new IdentityHashMap<>();

  /** Call before changing {@code node}'s parent; only the first call per node is kept. */
  void touch(Node node) {
    originalParents.putIfAbsent(node, node.parentId());
  }

  /** Call before changing {@code node}'s depth. */
  void depthChanging(Node node) {
    originalDepths.putIfAbsent(node, node.depth);
  }

  /** Nodes still in the tree whose depth differs from before the mutation. */
  int depthChanges() {
    int changed = 0;
    for (Map.Entry<Node, Integer> entry : originalDepths.entrySet()) {
      if (entry.getKey().live && entry.getKey().depth != entry.getValue()) {
        changed++;
      }
    }
    return changed;
  }

  void evicted(Node node) {
    touch(node);
    evicted.add(node);
  }

  List<Move> moves() {
    List<Move> moves = new ArrayList<>();
    for (Map.Entry<Node, String> entry : originalParents.entrySet()) {
      Node node = entry.getKey();
      String from = entry.getValue();
      if (evicted.contains(node)) {
        moves.add(Move.eviction(node.id, from, node.owner));
      } else if (node.live && !Objects.equals(from, node.parentId())) {
        moves.add(new Move(node.id, from, node.parentId(), node.depth));
      }
    }
    return moves;
  }
}

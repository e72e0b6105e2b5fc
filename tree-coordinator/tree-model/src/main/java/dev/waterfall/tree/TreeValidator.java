package dev.waterfall.tree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Checks every invariant of a {@link TreeStructure} in O(n); used after every step in tests. */
final class TreeValidator {

  private TreeValidator() {}

  static void validate(TreeStructure tree) {
    Node root = tree.root;
    require(root.parent == null && root.depth == 0 && root.role == Role.ORIGIN, "root shape", root);
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Node> order = new ArrayList<>();
    ArrayDeque<Node> queue = new ArrayDeque<>();
    queue.add(root);
    seen.add(root);
    int[] counts = new int[8];
    int open = 0;
    int leaves = 0;
    int displaceable = 0;
    int weak = 0;
    int owned = 0;
    TreeIndexes indexes = tree.indexes;
    while (!queue.isEmpty()) {
      Node node = queue.poll();
      order.add(node);
      require(node.live && tree.get(node.id) == node, "node map entry", node);
      require(
          node.capacity >= 0 && node.capacity <= tree.maxChildren,
          "capacity within 0..maxChildren",
          node);
      require(node.children.size() <= node.capacity, "fan-out <= capacity", node);
      require(
          node.capacity == node.standing.slots(),
          "capacity == its standing's slots (a demoted node is a leaf)",
          node);
      require(
          node.standing.requested >= 0 && node.standing.requested <= tree.maxChildren,
          "requested slots within 0..maxChildren",
          node);
      require(node == root || node.role != Role.ORIGIN, "only the root is ORIGIN", node);
      if (node.owner != null) {
        require(tree.ownedBy(node.owner).contains(node), "owner index", node);
        owned++;
      }
      indexes.checkMembership(node);
      open += node.inOpen ? 1 : 0;
      leaves += node.inLeaves ? 1 : 0;
      displaceable += node.inDisplaceable ? 1 : 0;
      weak += node.inWeak ? 1 : 0;
      if (node.depth >= counts.length) {
        counts = Arrays.copyOf(counts, node.depth * 2);
      }
      counts[node.depth]++;
      for (Node child : node.children) {
        require(child.parent == node, "child's parent link points back", child);
        require(seen.add(child), "no cycle or shared child", child);
        require(child.depth == node.depth + 1, "depth == parent depth + 1", child);
        queue.add(child);
      }
    }
    if (seen.size() != tree.size()) {
      for (Node node : tree.all()) {
        require(seen.contains(node), "every node reachable from the root", node);
      }
      throw new IllegalStateException(
          "size " + tree.size() + " but " + seen.size() + " reachable nodes");
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      Node node = order.get(i);
      require(node.height == TreeStructure.expectedHeight(node), "subtree height", node);
    }
    require(owned == tree.ownedTotal(), "owner index holds only live owned nodes", root);
    for (Node node : order) {
      require(node.seq < tree.nextSeq(), "sequence below the counter", node);
    }
    indexes.checkTotals(order.size(), open, leaves, displaceable, weak, counts);
  }

  private static void require(boolean ok, String invariant, Node node) {
    if (!ok) {
      throw new IllegalStateException("invariant broken: " + invariant + " (node " + node.id + ")");
    }
  }
}

package dev.waterfall.tree;

/**
 * Runs after every repair: while the tree is deeper than {@link StreamTree#depthBound}, lift a
 * deepest leaf into an open slot at least two levels higher (one new connection per lift).
 *
 * <p>Why this restores the bound when every node has full capacity (= maxChildren ≥ 4): the loop
 * stops only when no slot is open at depth ≤ D−2 (D = max depth). Then every node at depth ≤ D−2
 * has 4 children, so levels 0..D−1 are complete: N ≥ (4^D − 1)/3 + 1 > 4^(D−1), hence ⌈log4 N⌉ ≥ D
 * and D < depthBound(N).
 */
final class Compaction {

  private Compaction() {}

  static void run(TreeStructure tree, MoveLog log) {
    run(tree, log, null, null);
  }

  /**
   * @param movedAway a subtree just moved away from {@code avoid}: its leaves are never lifted back
   *     under it
   */
  static void run(TreeStructure tree, MoveLog log, Node movedAway, Node avoid) {
    TreeIndexes indexes = tree.indexes;
    while (indexes.maxDepth() > StreamTree.depthBound(tree.size())) {
      int deepest = indexes.maxDepth();
      Node leaf = indexes.youngestLeafAt(deepest, null);
      boolean guarded = avoid != null && avoid.live && tree.inSubtree(leaf, movedAway);
      Node target = guarded ? indexes.bestOpen(c -> !tree.inSubtree(c, avoid)) : indexes.bestOpen();
      if (target == null || target.depth > deepest - 2) {
        return;
      }
      tree.move(leaf, target, -1, log);
    }
  }
}

package dev.waterfall.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * Fills the departed node's exact place with the deepest suitable leaf, which adopts all the
 * orphans. Every orphan subtree keeps its depth (no cascade of depth changes below), only the leaf
 * changes depth, and the new connections are the orphans plus one. Taking the leaf from the bottom
 * also tends to lower the depth.
 */
final class LeafSwap implements RepairStrategy {
  static final LeafSwap INSTANCE = new LeafSwap();

  private LeafSwap() {}

  @Override
  public String name() {
    return "leaf-swap";
  }

  @Override
  public void repair(TreeStructure tree, Node departed, MoveLog log) {
    List<Node> orphans = new ArrayList<>(departed.children);
    Node leaf = pickLeaf(tree, orphans);
    if (leaf == null) { // every leaf too small (e.g. all upload:false)
      PromoteChild.INSTANCE.repair(tree, departed, log);
      return;
    }
    Node parent = departed.parent;
    tree.move(leaf, parent, parent.children.indexOf(departed), log);
    for (Node orphan : orphans) {
      if (orphan != leaf) {
        tree.move(orphan, leaf, -1, log);
      }
    }
    tree.removeLeaf(departed);
  }

  /**
   * Deepest leaf able to adopt the orphans, youngest among equals; an orphan leaf needs room for
   * its siblings only.
   */
  private static Node pickLeaf(TreeStructure tree, List<Node> orphans) {
    int needed = orphans.size();
    Node best = tree.indexes.deepestLeaf(needed);
    for (Node orphan : orphans) {
      if (orphan.isLeaf()
          && orphan.capacity >= needed - 1
          && (best == null
              || orphan.depth > best.depth
              || orphan.depth == best.depth
                  && NodeOrder.YOUNGEST_FIRST.compare(orphan, best) < 0)) {
        best = orphan;
      }
    }
    return best;
  }
}

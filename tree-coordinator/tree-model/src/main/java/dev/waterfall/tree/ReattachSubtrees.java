package dev.waterfall.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * Re-places each orphan subtree whole at the shallowest open slot, best orphan first (so it usually
 * gets the slot the departure freed). Simple, but every orphan's subtree changes depth.
 */
final class ReattachSubtrees implements RepairStrategy {
  static final ReattachSubtrees INSTANCE = new ReattachSubtrees();

  private ReattachSubtrees() {}

  @Override
  public String name() {
    return "reattach-subtrees";
  }

  @Override
  public void repair(TreeStructure tree, Node departed, MoveLog log) {
    List<Node> orphans = new ArrayList<>(departed.children);
    orphans.sort(NodeOrder.PARENT_PREFERENCE);
    for (Node orphan : orphans) {
      tree.detach(orphan, log);
    }
    tree.removeLeaf(departed); // frees the departed node's slot before anything is placed
    for (Node orphan : orphans) {
      tree.placeDetached(orphan, log);
    }
  }
}

package dev.waterfall.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * Promotes the best orphan (by parent preference) into the vacant place and hangs its siblings
 * under it while it has room; the rest are re-placed whole at the shallowest open slot. The heir's
 * subtree rises a level.
 */
final class PromoteChild implements RepairStrategy {
  static final PromoteChild INSTANCE = new PromoteChild();

  private PromoteChild() {}

  @Override
  public String name() {
    return "promote-child";
  }

  @Override
  public void repair(TreeStructure tree, Node departed, MoveLog log) {
    List<Node> orphans = new ArrayList<>(departed.children);
    orphans.sort(NodeOrder.PARENT_PREFERENCE);
    Node heir = orphans.get(0);
    Node parent = departed.parent;
    tree.move(heir, parent, parent.children.indexOf(departed), log);
    List<Node> leftovers = new ArrayList<>();
    for (Node orphan : orphans.subList(1, orphans.size())) {
      if (heir.hasFreeSlot()) {
        tree.move(orphan, heir, -1, log); // same depth as before: nothing below it changes
      } else {
        leftovers.add(orphan);
      }
    }
    for (Node orphan : leftovers) {
      tree.detach(orphan, log);
    }
    tree.removeLeaf(departed);
    for (Node orphan : leftovers) {
      tree.placeDetached(orphan, log);
    }
  }
}

package dev.waterfall.coordinator.cluster;

import dev.waterfall.tree.Move;
import dev.waterfall.tree.StreamTree;
import dev.waterfall.tree.TreeNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A new tree edge and who must hear of it: the moved node ({@code reparent}), its new parent
 * ({@code child-joined}) and its old parent if still present ({@code child-left}). Owners are the
 * coordinators holding each node's socket (null: not connected). A null {@code newParent} is an
 * eviction: the tree had no slot left for the node, which must join again (and play over HTTP
 * meanwhile).
 */
public record Edge(
    String nodeId,
    String nodeOwner,
    String oldParent,
    String oldParentOwner,
    String newParent,
    String newParentOwner,
    int depth)
    implements Serializable {

  static List<Edge> of(StreamTree tree, List<Move> moves) {
    List<Edge> out = new ArrayList<>(moves.size());
    for (Move m : moves) {
      TreeNode node = tree.node(m.nodeId());
      TreeNode oldParent = m.oldParent() == null ? null : tree.node(m.oldParent());
      TreeNode newParent = m.isEviction() ? null : tree.node(m.newParent());
      out.add(
          new Edge(
              m.nodeId(),
              // An evicted node has left the tree: its move carries the owner.
              m.isEviction() ? m.evictedOwner() : node == null ? null : node.owner(),
              oldParent == null ? null : m.oldParent(),
              oldParent == null ? null : oldParent.owner(),
              m.newParent(),
              newParent == null ? null : newParent.owner(),
              m.newDepth()));
    }
    return out;
  }
}

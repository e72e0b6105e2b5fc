package dev.waterfall.tree;

import java.util.List;

/**
 * An immutable snapshot of a node, so callers never observe (or race with) later mutations and
 * snapshots can be compared with {@code equals}.
 *
 * @param sequence the tree's insertion counter for this node (the last placement tie-break)
 */
public record NodeView(
    String id,
    Role role,
    int capacity,
    long joinedAt,
    String owner,
    String parentId,
    int depth,
    List<String> childIds,
    long sequence)
    implements TreeNode {

  public NodeView {
    childIds = List.copyOf(childIds);
  }
}

package dev.waterfall.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * The mutable node behind {@link TreeNode}; only {@link TreeStructure} changes it, because every
 * change to a field that orders or selects an index entry must be bracketed by unindexing and
 * re-syncing.
 */
final class Node {
  /**
   * Heights above this are stored as this. No subtree that tall can ever be displaced (the depth
   * bound is at most 18 for any int-sized tree), and saturating keeps height upkeep O(1) per join
   * even in chain-shaped trees of capacity-1 nodes, where exact heights would cost O(depth) per
   * join.
   */
  static final int HEIGHT_CAP = 32;

  final String id;
  final Role role;
  final long joinedAt;
  final long seq;

  int capacity;
  String owner;
  Node parent;
  final ArrayList<Node> children = new ArrayList<>(4);
  int depth;

  /**
   * Distance from this node to the deepest node of its subtree (0 for a leaf), saturated at
   * HEIGHT_CAP; orders booster displacement.
   */
  int height;

  /** What its children's reports say about it; {@link #capacity} is always its slots. */
  final Standing standing;

  /** False once removed from the tree; lets {@link MoveLog} drop moves of nodes that left. */
  boolean live = true;

  // Actual index membership, so removal never depends on recomputing a condition that may have
  // changed.
  boolean inOpen;
  boolean inLeaves;
  boolean inDisplaceable;
  boolean inWeak;

  Node(String id, Role role, int capacity, long joinedAt, long seq, String owner) {
    this.id = id;
    this.role = role;
    this.capacity = capacity;
    this.standing = new Standing(capacity);
    this.joinedAt = joinedAt;
    this.seq = seq;
    this.owner = owner;
  }

  boolean hasFreeSlot() {
    return children.size() < capacity;
  }

  boolean isLeaf() {
    return children.isEmpty();
  }

  String parentId() {
    return parent == null ? null : parent.id;
  }

  NodeView view() {
    List<String> ids = new ArrayList<>(children.size());
    for (Node child : children) {
      ids.add(child.id);
    }
    return new NodeView(id, role, capacity, joinedAt, owner, parentId(), depth, ids, seq);
  }

  @Override
  public String toString() {
    return id;
  }
}

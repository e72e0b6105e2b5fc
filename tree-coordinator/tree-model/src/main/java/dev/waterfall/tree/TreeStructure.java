package dev.waterfall.tree;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The tree's nodes, links and indexes, and the few primitive edits every rule is built from. Each
 * primitive leaves links, depths, heights and indexes consistent; rules (placement, repair,
 * compaction) only choose which primitive to apply where.
 */
final class TreeStructure {
  private static final Comparator<Node> BY_SEQUENCE = Comparator.comparingLong(n -> n.seq);

  final int maxChildren;
  final Node root;
  final TreeIndexes indexes;
  private final Map<String, Node> nodes = new HashMap<>();

  /**
   * Owner to its nodes in insertion order; a TreeSet (not a hash set) so iteration is
   * replica-stable.
   */
  private final Map<String, TreeSet<Node>> owned = new HashMap<>();

  private long nextSeq = 1;

  TreeStructure(String rootId, int maxChildren, long createdAt) {
    this.maxChildren = maxChildren;
    this.root = new Node(rootId, Role.ORIGIN, maxChildren, createdAt, 0, null);
    this.indexes = new TreeIndexes(root, maxChildren);
    nodes.put(rootId, root);
    indexes.index(root);
  }

  // ---- lookup
  // -----------------------------------------------------------------------------------------

  Node get(String id) {
    return nodes.get(id);
  }

  Node require(String id) {
    Node node = id == null ? null : nodes.get(id);
    if (node == null) {
      throw new IllegalArgumentException("unknown node " + id);
    }
    return node;
  }

  int size() {
    return nodes.size();
  }

  Collection<Node> all() {
    return nodes.values();
  }

  long nextSeq() {
    return nextSeq;
  }

  void nextSeq(long value) {
    nextSeq = value;
  }

  Collection<Node> ownedBy(String owner) {
    TreeSet<Node> set = owned.get(owner);
    return set == null ? List.of() : set;
  }

  int ownedTotal() {
    int total = 0;
    for (TreeSet<Node> set : owned.values()) {
      total += set.size();
    }
    return total;
  }

  /**
   * True iff {@code node} is {@code top} or below it; relies on consistent depths of attached
   * nodes.
   */
  boolean inSubtree(Node node, Node top) {
    Node current = node;
    while (current != null && current.depth > top.depth) {
      current = current.parent;
    }
    return current == top;
  }

  static void forEachInSubtree(Node top, Consumer<Node> action) {
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(top);
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      action.accept(node);
      for (Node child : node.children) {
        stack.push(child);
      }
    }
  }

  // ---- primitives
  // -------------------------------------------------------------------------------------

  /**
   * Adds a new node under {@code parent} at {@code position} (-1: last). The caller checked the
   * slot.
   */
  Node addChild(NodeSpec spec, Node parent, int position) {
    Node node =
        new Node(spec.id(), spec.role(), spec.capacity(), spec.joinedAt(), nextSeq++, spec.owner());
    link(node, parent, position);
    return node;
  }

  /** Re-creates a node read back from its serialised form, keeping its original sequence number. */
  Node restoreChild(
      String id, Role role, int capacity, long joinedAt, long seq, String owner, Node parent) {
    Node node = new Node(id, role, capacity, joinedAt, seq, owner);
    link(node, parent, -1);
    return node;
  }

  private void link(Node node, Node parent, int position) {
    nodes.put(node.id, node);
    addOwned(node);
    node.parent = parent;
    node.depth = parent.depth + 1;
    insertChild(parent, node, position);
    indexes.index(node);
    refreshHeights(parent);
  }

  /** Removes a childless node; its parent's slot becomes free. */
  void removeLeaf(Node node) {
    if (!node.isLeaf() || node == root) {
      throw new IllegalStateException(
          "removeLeaf on " + node + " which is the root or has children");
    }
    Node parent = node.parent;
    parent.children.remove(node);
    indexes.sync(parent);
    indexes.unindex(node);
    forget(node);
    refreshHeights(parent);
  }

  /**
   * Moves an attached node with its subtree under {@code newParent}. O(1) when its depth stays the
   * same, O(subtree) otherwise. The new parent may briefly hold one child too many while a repair
   * rearranges.
   */
  void move(Node node, Node newParent, int position, MoveLog log) {
    if (node == root || inSubtree(newParent, node)) {
      throw new IllegalStateException(
          "moving " + node + " under " + newParent + " would create a cycle");
    }
    log.touch(node);
    Node oldParent = node.parent;
    oldParent.children.remove(node);
    indexes.sync(oldParent);
    insertChild(newParent, node, position);
    node.parent = newParent;
    int delta = newParent.depth + 1 - node.depth;
    if (delta == 0) {
      indexes.sync(node); // only its displaceable membership can change with the parent
    } else {
      forEachInSubtree(
          node,
          n -> {
            indexes.unindex(n);
            log.depthChanging(n);
            n.depth += delta;
            indexes.index(n);
          });
    }
    refreshHeights(oldParent);
    refreshHeights(newParent);
  }

  /**
   * Cuts a subtree off for re-placement: it leaves every index, so searches for an open slot can
   * never pick a slot inside it (which would make a cycle) or one in another subtree still waiting
   * to be placed.
   */
  void detach(Node node, MoveLog log) {
    log.touch(node);
    Node parent = node.parent;
    parent.children.remove(node);
    indexes.sync(parent);
    forEachInSubtree(node, indexes::unindex);
    node.parent = null;
    refreshHeights(parent);
  }

  /** Hangs a detached subtree under {@code parent}, which must have a free slot. */
  void attach(Node node, Node parent, int position, MoveLog log) {
    if (node.parent != null || !parent.hasFreeSlot() || !parent.live) {
      throw new IllegalStateException("cannot attach " + node + " under " + parent);
    }
    log.touch(node);
    insertChild(parent, node, position);
    node.parent = parent;
    int delta = parent.depth + 1 - node.depth;
    forEachInSubtree(
        node,
        n -> {
          if (delta != 0) {
            log.depthChanging(n);
            n.depth += delta;
          }
          indexes.index(n);
        });
    refreshHeights(parent);
  }

  /**
   * Places a detached subtree at the shallowest open slot. When the tree has none left, a slot
   * inside the subtree itself can still host it: the subtree takes the shallowest leaf's place and
   * that leaf hangs inside it. Only when no slot exists anywhere is the subtree evicted. Returns
   * false on eviction.
   */
  boolean placeDetached(Node node, MoveLog log) {
    Node target = indexes.bestOpen();
    if (target != null) {
      attach(node, target, -1, log);
      return true;
    }
    Node inner = bestOpenWithin(node);
    Node leaf = indexes.shallowestLeaf();
    if (inner != null && leaf != null) {
      Node leafParent = leaf.parent;
      int position = leafParent.children.indexOf(leaf);
      detach(leaf, log);
      attach(node, leafParent, position, log);
      attach(leaf, inner, -1, log);
      return true;
    }
    forEachInSubtree(
        node,
        n -> {
          log.evicted(n);
          forget(n);
        });
    return false;
  }

  /**
   * Shallowest node with a free slot inside a detached subtree (depths there are stale but
   * relative).
   */
  private static Node bestOpenWithin(Node top) {
    Node[] best = {null};
    forEachInSubtree(
        top,
        n -> {
          if (n.hasFreeSlot()
              && (best[0] == null
                  || n.depth < best[0].depth
                  || n.depth == best[0].depth
                      && NodeOrder.PARENT_PREFERENCE.compare(n, best[0]) < 0)) {
            best[0] = n;
          }
        });
    return best[0];
  }

  void setCapacity(Node node, int capacity) {
    indexes.unindex(node);
    node.capacity = capacity;
    indexes.index(node);
  }

  void setOwner(Node node, String owner) {
    removeOwned(node);
    node.owner = owner;
    addOwned(node);
  }

  static int expectedHeight(Node node) {
    int height = 0;
    for (Node child : node.children) {
      height = Math.max(height, child.height + 1);
    }
    return Math.min(height, Node.HEIGHT_CAP);
  }

  // ---- internals
  // --------------------------------------------------------------------------------------

  private void insertChild(Node parent, Node child, int position) {
    if (position < 0 || position > parent.children.size()) {
      parent.children.add(child);
    } else {
      parent.children.add(position, child);
    }
    indexes.sync(parent);
  }

  private void forget(Node node) {
    nodes.remove(node.id);
    removeOwned(node);
    node.live = false;
  }

  private void addOwned(Node node) {
    if (node.owner != null) {
      owned.computeIfAbsent(node.owner, o -> new TreeSet<>(BY_SEQUENCE)).add(node);
    }
  }

  private void removeOwned(Node node) {
    if (node.owner != null) {
      TreeSet<Node> set = owned.get(node.owner);
      if (set != null && set.remove(node) && set.isEmpty()) {
        owned.remove(node.owner);
      }
    }
  }

  /**
   * Recomputes heights upwards from {@code from}. Stops at the first unchanged node: a height
   * depends only on the children's, so nothing above can change either. Saturation bounds the walk
   * to HEIGHT_CAP levels.
   */
  private void refreshHeights(Node from) {
    for (Node node = from; node != null; node = node.parent) {
      int height = expectedHeight(node);
      if (height == node.height) {
        return;
      }
      indexes.changeHeight(node, height);
    }
  }
}

package dev.waterfall.tree;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * Nodes grouped by depth, each depth a sorted set. A bit set of non-empty depths makes "shallowest"
 * and "deepest at most d" cheap even for chain-shaped trees, where scanning depths one by one would
 * be O(n).
 */
final class DepthIndex {
  private final Comparator<Node> order;
  private final ArrayList<TreeSet<Node>> levels = new ArrayList<>();
  private final BitSet nonEmpty = new BitSet();
  private int size;

  DepthIndex(Comparator<Node> order) {
    this.order = order;
  }

  void add(Node node) {
    while (levels.size() <= node.depth) {
      levels.add(null); // created on first use: deep, sparse indexes stay small
    }
    TreeSet<Node> level = levels.get(node.depth);
    if (level == null) {
      level = new TreeSet<>(order);
      levels.set(node.depth, level);
    }
    if (!level.add(node)) {
      throw new IllegalStateException("index already holds " + node + " at depth " + node.depth);
    }
    nonEmpty.set(node.depth);
    size++;
  }

  void remove(Node node) {
    TreeSet<Node> level = level(node.depth);
    if (level == null || !level.remove(node)) {
      throw new IllegalStateException("index lacks " + node + " at depth " + node.depth);
    }
    if (level.isEmpty()) {
      nonEmpty.clear(node.depth);
    }
    size--;
  }

  private TreeSet<Node> level(int depth) {
    return depth >= 0 && depth < levels.size() ? levels.get(depth) : null;
  }

  boolean contains(Node node) {
    TreeSet<Node> level = level(node.depth);
    return level != null && level.contains(node);
  }

  /** Shallowest non-empty depth at or below {@code from}, or -1. */
  int nextDepth(int from) {
    return nonEmpty.nextSetBit(from);
  }

  int shallowest() {
    return nonEmpty.nextSetBit(0);
  }

  /** Deepest non-empty depth at most {@code atMost}, or -1. */
  int deepestAtMost(int atMost) {
    return atMost < 0 ? -1 : nonEmpty.previousSetBit(atMost);
  }

  Node first(int depth) {
    TreeSet<Node> level = level(depth);
    return level == null || level.isEmpty() ? null : level.first();
  }

  Iterable<Node> at(int depth) {
    TreeSet<Node> level = level(depth);
    return level == null ? Collections.emptySet() : level;
  }

  int size() {
    return size;
  }

  /** For validation: the non-empty bits must match the levels. */
  boolean bitsConsistent() {
    for (int d = 0; d < levels.size(); d++) {
      TreeSet<Node> level = levels.get(d);
      if (nonEmpty.get(d) == (level == null || level.isEmpty())) {
        return false;
      }
    }
    return nonEmpty.length() <= levels.size();
  }
}

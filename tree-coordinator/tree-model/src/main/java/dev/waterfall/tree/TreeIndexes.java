package dev.waterfall.tree;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The lookup structures that keep every rule O(log n): nodes with a free slot, leaves by capacity,
 * viewers a booster may displace, viewers below full capacity by capacity (all grouped by depth),
 * and node counts per depth for the maximum depth.
 *
 * <p>Discipline: a node's keys (depth, capacity, height) may change only between {@link #unindex}
 * and {@link #index}; a change of child count or parent needs only {@link #sync}. Nodes of a
 * subtree detached mid-repair are not indexed at all, so every indexed node is reachable from the
 * root.
 */
final class TreeIndexes {
  private final Node root;
  private final int maxChildren;
  private final DepthIndex open = new DepthIndex(NodeOrder.PARENT_PREFERENCE);
  private final DepthIndex[] leavesByCapacity;
  private final DepthIndex displaceable = new DepthIndex(NodeOrder.DISPLACEMENT);

  /**
   * Viewers below full capacity, by capacity: whom a joiner with more slots may swap places with.
   */
  private final DepthIndex[] weakByCapacity;

  private int[] depthCounts = new int[16];
  private int maxDepth = -1;
  private int indexed;

  TreeIndexes(Node root, int maxChildren) {
    this.root = root;
    this.maxChildren = maxChildren;
    this.leavesByCapacity = new DepthIndex[maxChildren + 1];
    for (int c = 0; c <= maxChildren; c++) {
      leavesByCapacity[c] = new DepthIndex(NodeOrder.YOUNGEST_FIRST);
    }
    this.weakByCapacity = new DepthIndex[maxChildren];
    for (int c = 0; c < maxChildren; c++) {
      weakByCapacity[c] = new DepthIndex(NodeOrder.YOUNGEST_FIRST);
    }
  }

  // ---- membership
  // -------------------------------------------------------------------------------------

  boolean wantsOpen(Node n) {
    return n.hasFreeSlot();
  }

  boolean wantsLeaf(Node n) {
    return n.isLeaf() && n != root;
  }

  /**
   * A viewer directly under the backbone (origin or booster) is where a joining booster may slot
   * in.
   */
  boolean wantsDisplaceable(Node n) {
    return n.role == Role.VIEWER && n.parent != null && n.parent.role != Role.VIEWER;
  }

  /**
   * A viewer with fewer than maxChildren slots; the key (capacity) changes only between unindex and
   * index.
   */
  boolean wantsWeak(Node n) {
    return n.role == Role.VIEWER && n.capacity < maxChildren;
  }

  void index(Node n) {
    if (n.depth >= depthCounts.length) {
      depthCounts = Arrays.copyOf(depthCounts, Math.max(depthCounts.length * 2, n.depth + 1));
    }
    depthCounts[n.depth]++;
    maxDepth = Math.max(maxDepth, n.depth);
    indexed++;
    sync(n);
  }

  void unindex(Node n) {
    if (n.inOpen) {
      open.remove(n);
      n.inOpen = false;
    }
    if (n.inLeaves) {
      leavesByCapacity[n.capacity].remove(n);
      n.inLeaves = false;
    }
    if (n.inDisplaceable) {
      displaceable.remove(n);
      n.inDisplaceable = false;
    }
    if (n.inWeak) {
      weakByCapacity[n.capacity].remove(n);
      n.inWeak = false;
    }
    depthCounts[n.depth]--;
    indexed--;
    while (maxDepth >= 0 && depthCounts[maxDepth] == 0) {
      maxDepth--;
    }
  }

  /** Brings set membership in line after a change of child count or parent (keys unchanged). */
  void sync(Node n) {
    if (wantsOpen(n) != n.inOpen) {
      if (n.inOpen) {
        open.remove(n);
      } else {
        open.add(n);
      }
      n.inOpen = !n.inOpen;
    }
    if (wantsLeaf(n) != n.inLeaves) {
      if (n.inLeaves) {
        leavesByCapacity[n.capacity].remove(n);
      } else {
        leavesByCapacity[n.capacity].add(n);
      }
      n.inLeaves = !n.inLeaves;
    }
    if (wantsDisplaceable(n) != n.inDisplaceable) {
      if (n.inDisplaceable) {
        displaceable.remove(n);
      } else {
        displaceable.add(n);
      }
      n.inDisplaceable = !n.inDisplaceable;
    }
    if (wantsWeak(n) != n.inWeak) {
      if (n.inWeak) {
        weakByCapacity[n.capacity].remove(n);
      } else {
        weakByCapacity[n.capacity].add(n);
      }
      n.inWeak = !n.inWeak;
    }
  }

  /** Height orders only the displacement set, so only that entry is re-keyed. */
  void changeHeight(Node n, int height) {
    if (n.inDisplaceable) {
      displaceable.remove(n);
      n.height = height;
      displaceable.add(n);
    } else {
      n.height = height;
    }
  }

  // ---- queries
  // ----------------------------------------------------------------------------------------

  int maxDepth() {
    return maxDepth;
  }

  int indexedCount() {
    return indexed;
  }

  int[] depthHistogram() {
    return Arrays.copyOf(depthCounts, maxDepth + 1);
  }

  int shallowestOpenDepth() {
    return open.shallowest();
  }

  /** The best parent at the shallowest depth with a free slot, or null when the tree is full. */
  Node bestOpen() {
    return open.first(open.shallowest());
  }

  /**
   * Like {@link #bestOpen} but skipping parents the caller rules out; O(skipped) in the worst case.
   */
  Node bestOpen(Predicate<Node> allowed) {
    for (int d = open.shallowest(); d >= 0; d = open.nextDepth(d + 1)) {
      for (Node candidate : open.at(d)) {
        if (allowed.test(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  /**
   * The viewer a joiner with {@code capacity} slots should swap places with: the shallowest viewer
   * above {@code depthLimit} with fewer slots, the fewest slots among equals, then the youngest;
   * null if none.
   */
  Node weakerViewer(int capacity, int depthLimit) {
    Node best = null;
    for (int c = 0; c < Math.min(capacity, maxChildren); c++) {
      DepthIndex weak = weakByCapacity[c];
      int d = weak.shallowest();
      if (d >= 0 && d < depthLimit && (best == null || d < best.depth)) {
        best = weak.first(d);
      }
    }
    return best;
  }

  /**
   * Deepest leaf with capacity at least {@code minCapacity}, youngest among equals; null if none.
   */
  Node deepestLeaf(int minCapacity) {
    Node best = null;
    for (int c = Math.max(0, minCapacity); c <= maxChildren; c++) {
      DepthIndex leaves = leavesByCapacity[c];
      Node candidate = leaves.first(leaves.deepestAtMost(maxDepth));
      if (candidate != null
          && (best == null
              || candidate.depth > best.depth
              || candidate.depth == best.depth
                  && NodeOrder.YOUNGEST_FIRST.compare(candidate, best) < 0)) {
        best = candidate;
      }
    }
    return best;
  }

  /** Shallowest leaf of any capacity, youngest among equals; null if the root is the only node. */
  Node shallowestLeaf() {
    Node best = null;
    for (DepthIndex leaves : leavesByCapacity) {
      Node candidate = leaves.first(leaves.shallowest());
      if (candidate != null
          && (best == null
              || candidate.depth < best.depth
              || candidate.depth == best.depth
                  && NodeOrder.YOUNGEST_FIRST.compare(candidate, best) < 0)) {
        best = candidate;
      }
    }
    return best;
  }

  /** Youngest leaf at exactly {@code depth} other than {@code excluded}; null if none. */
  Node youngestLeafAt(int depth, Node excluded) {
    Node best = null;
    for (DepthIndex leaves : leavesByCapacity) {
      for (Node candidate : leaves.at(depth)) {
        if (candidate != excluded) {
          if (best == null || NodeOrder.YOUNGEST_FIRST.compare(candidate, best) < 0) {
            best = candidate;
          }
          break; // sets are youngest-first: the first acceptable one is this set's best
        }
      }
    }
    return best;
  }

  /**
   * The viewer a booster should replace: the shallowest displaceable viewer above {@code
   * depthLimit} whose subtree, pushed one level down, stays within {@code bound}; null if none.
   */
  Node displacementCandidate(int depthLimit, int bound) {
    for (int d = displaceable.shallowest();
        d >= 0 && d < depthLimit;
        d = displaceable.nextDepth(d + 1)) {
      Node lowest = displaceable.first(d); // least height at this depth: if it fails, all at d fail
      if (d + 1 + lowest.height <= bound) {
        return lowest;
      }
    }
    return null;
  }

  // ---- validation support
  // -----------------------------------------------------------------------------

  /** Throws if the sets disagree with the nodes' flags or the flags with what the nodes need. */
  void checkMembership(Node n) {
    check(n, "open-slot", wantsOpen(n), n.inOpen, open.contains(n));
    check(n, "leaf", wantsLeaf(n), n.inLeaves, leavesByCapacity[n.capacity].contains(n));
    check(n, "displaceable", wantsDisplaceable(n), n.inDisplaceable, displaceable.contains(n));
    check(
        n,
        "weak",
        wantsWeak(n),
        n.inWeak,
        n.capacity < maxChildren && weakByCapacity[n.capacity].contains(n));
  }

  private static void check(
      Node n, String index, boolean wanted, boolean flagged, boolean present) {
    if (wanted != flagged || flagged != present) {
      throw new IllegalStateException(
          index
              + " index inconsistent for node "
              + n.id
              + " (should be in: "
              + wanted
              + ", flagged: "
              + flagged
              + ", present: "
              + present
              + ")");
    }
  }

  /**
   * Throws unless set sizes, depth counts and non-empty bits match the given tally of the live
   * nodes.
   */
  void checkTotals(
      int nodes, int openCount, int leafCount, int displaceableCount, int weakCount, int[] counts) {
    int weak = 0;
    for (DepthIndex index : weakByCapacity) {
      weak += index.size();
      if (!index.bitsConsistent()) {
        throw new IllegalStateException("weak-viewer index depth bits inconsistent");
      }
    }
    if (weak != weakCount) {
      throw new IllegalStateException(
          "weak-viewer index size " + weak + " but " + weakCount + " weak viewers");
    }
    int leaves = 0;
    for (DepthIndex index : leavesByCapacity) {
      leaves += index.size();
      if (!index.bitsConsistent()) {
        throw new IllegalStateException("leaf index depth bits inconsistent");
      }
    }
    if (!open.bitsConsistent() || !displaceable.bitsConsistent()) {
      throw new IllegalStateException("open-slot or displaceable index depth bits inconsistent");
    }
    if (indexed != nodes
        || open.size() != openCount
        || leaves != leafCount
        || displaceable.size() != displaceableCount) {
      throw new IllegalStateException(
          "index sizes inconsistent: indexed "
              + indexed
              + "/"
              + nodes
              + ", open "
              + open.size()
              + "/"
              + openCount
              + ", leaves "
              + leaves
              + "/"
              + leafCount
              + ", displaceable "
              + displaceable.size()
              + "/"
              + displaceableCount);
    }
    int deepest = counts.length - 1;
    while (deepest >= 0 && counts[deepest] == 0) {
      deepest--;
    }
    if (deepest != maxDepth) {
      throw new IllegalStateException(
          "max depth " + maxDepth + " but deepest node is at " + deepest);
    }
    for (int d = 0; d < Math.max(counts.length, depthCounts.length); d++) {
      int expected = d < counts.length ? counts[d] : 0;
      int actual = d < depthCounts.length ? depthCounts[d] : 0;
      if (expected != actual) {
        throw new IllegalStateException(
            "depth " + d + " count " + actual + " but " + expected + " nodes");
      }
    }
  }
}

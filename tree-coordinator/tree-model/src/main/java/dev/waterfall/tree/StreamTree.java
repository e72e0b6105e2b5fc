package dev.waterfall.tree;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One stream's fan-out tree: the origin at the root, each node feeding at most {@code capacity}
 * children.
 *
 * <p>Every method is deterministic in its call sequence (no clock, no randomness, no hash-order
 * iteration), because the coordinator replays each mutation on a backup replica and both must end
 * up identical. {@link #size()} counts the root. Not thread-safe: the coordinator serialises access
 * per stream.
 */
public final class StreamTree {
  /** Per-stream fan-out limit; keeps the per-capacity indexes small. */
  public static final int MAX_CHILDREN_LIMIT = 64;

  private final String stream;
  private final int bitrateKbps;
  final TreeStructure tree;

  /** Nodes whose depth changed in the last mutation; read by the repair comparison in tests. */
  int lastDepthChanges;

  public StreamTree(
      String stream, String rootId, int maxChildren, int bitrateKbps, long createdAt) {
    if (stream == null || stream.isBlank() || rootId == null || rootId.isBlank()) {
      throw new IllegalArgumentException("stream and root id must not be blank");
    }
    if (maxChildren < 1 || maxChildren > MAX_CHILDREN_LIMIT) {
      throw new IllegalArgumentException(
          "maxChildren must be 1.." + MAX_CHILDREN_LIMIT + ", got " + maxChildren);
    }
    if (bitrateKbps <= 0) {
      throw new IllegalArgumentException("bitrateKbps must be > 0, got " + bitrateKbps);
    }
    this.stream = stream;
    this.bitrateKbps = bitrateKbps;
    this.tree = new TreeStructure(rootId, maxChildren, createdAt);
  }

  // ---- rules as functions
  // -----------------------------------------------------------------------------

  /**
   * Children a node may feed: 0 if it cannot upload; {@code maxChildren} if its uplink is
   * undeclared; otherwise what 80% of its uplink carries at the stream's bitrate, capped at {@code
   * maxChildren}.
   */
  public static int slotsFor(int maxChildren, int bitrateKbps, Integer uplinkKbps, boolean upload) {
    return slotsFor(maxChildren, bitrateKbps, uplinkKbps, upload, maxChildren);
  }

  /**
   * As {@link #slotsFor(int, int, Integer, boolean)}, but a node whose uplink is undeclared gets
   * {@code undeclaredSlots} (capped at {@code maxChildren}): a viewer nobody has measured yet
   * starts with few children and earns more as its heartbeats report what its uplink carried.
   */
  public static int slotsFor(
      int maxChildren, int bitrateKbps, Integer uplinkKbps, boolean upload, int undeclaredSlots) {
    if (maxChildren < 0 || bitrateKbps <= 0) {
      throw new IllegalArgumentException("need maxChildren >= 0 and bitrateKbps > 0");
    }
    if (!upload) {
      return 0;
    }
    if (uplinkKbps == null) {
      return Math.max(0, Math.min(maxChildren, undeclaredSlots));
    }
    if (uplinkKbps <= 0) {
      return 0;
    }
    // floor(uplink / bitrate * 0.8) without float rounding
    long slots = 4L * uplinkKbps / (5L * bitrateKbps);
    return (int) Math.min(maxChildren, slots);
  }

  /** Depth the tree must stay within (full-capacity trees): ⌈log4 n⌉ + 2, with ⌈log4 1⌉ = 0. */
  public static int depthBound(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    int log = 0;
    for (long power = 1; power < n; power *= 4) {
      log++;
    }
    return log + 2;
  }

  // ---- mutations
  // --------------------------------------------------------------------------------------

  /**
   * Places a node at the shallowest free slot (best parent first, see {@link NodeOrder}), unless it
   * can take a shallower place: a booster may take the place of a viewer under the backbone (which
   * then hangs below it with its subtree), and any node the place of a viewer with fewer slots (see
   * {@link #joinBySwap}).
   *
   * @throws IllegalArgumentException if the id exists or the capacity exceeds maxChildren
   * @throws NoOpenSlotException if no node has a free slot and no viewer has fewer slots than the
   *     joiner
   */
  public JoinResult join(NodeSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (tree.get(spec.id()) != null) {
      throw new IllegalArgumentException("node " + spec.id() + " already in stream " + stream);
    }
    if (spec.capacity() > tree.maxChildren) {
      throw new IllegalArgumentException(
          "capacity " + spec.capacity() + " exceeds maxChildren " + tree.maxChildren);
    }
    if (spec.role() == Role.BOOSTER && spec.capacity() >= 1) {
      JoinResult displaced = joinByDisplacement(spec);
      if (displaced != null) {
        return displaced;
      }
    }
    if (spec.capacity() >= 1) {
      JoinResult swapped = joinBySwap(spec);
      if (swapped != null) {
        return swapped;
      }
    }
    Node parent = tree.indexes.bestOpen();
    if (parent == null) {
      throw new NoOpenSlotException("no free slot in stream " + stream + " (" + size() + " nodes)");
    }
    Node node = tree.addChild(spec, parent, -1);
    return new JoinResult(node.id, parent.id, node.depth, List.of());
  }

  /**
   * A joiner with more slots than a viewer shallower than the free slot takes that viewer's place,
   * adopting its children and then the viewer itself (having more slots than the viewer, it has
   * room for all of them). No subtree changes depth: only the viewer, now a leaf, goes one level
   * down. Slots with the most fan-out end up nearest the root, so the tree stays shallow when
   * uplinks differ.
   */
  private JoinResult joinBySwap(NodeSpec spec) {
    int open = tree.indexes.shallowestOpenDepth();
    Node weak = tree.indexes.weakerViewer(spec.capacity(), open < 0 ? Integer.MAX_VALUE : open + 1);
    if (weak == null) {
      return null;
    }
    Node parent = weak.parent;
    MoveLog log = new MoveLog();
    Node node = tree.addChild(spec, parent, parent.children.indexOf(weak));
    for (Node child : new ArrayList<>(weak.children)) {
      tree.move(child, node, -1, log); // same depth: O(1), nothing below it changes
    }
    tree.move(weak, node, -1, log);
    return new JoinResult(node.id, parent.id, node.depth, log.moves());
  }

  /**
   * Boosters form the backbone: one may take a shallower viewer's place, pushing that subtree down
   * a level.
   */
  private JoinResult joinByDisplacement(NodeSpec spec) {
    int open = tree.indexes.shallowestOpenDepth();
    int depthFromSlot = open < 0 ? Integer.MAX_VALUE : open + 1;
    Node viewer = tree.indexes.displacementCandidate(depthFromSlot, depthBound(size() + 1));
    if (viewer == null) {
      return null;
    }
    Node parent = viewer.parent;
    MoveLog log = new MoveLog();
    Node booster = tree.addChild(spec, parent, parent.children.indexOf(viewer));
    tree.move(viewer, booster, -1, log);
    return new JoinResult(booster.id, parent.id, booster.depth, log.moves());
  }

  /**
   * Removes a node (graceful leave or crash) and repairs the tree around it.
   *
   * @return the new edges (and evictions, if the tree ran out of slots)
   * @throws IllegalArgumentException for the root or an unknown node
   */
  public List<Move> remove(String id, RepairStrategy strategy) {
    Node node = tree.require(id);
    Objects.requireNonNull(strategy, "strategy");
    if (node == tree.root) {
      throw new IllegalArgumentException("the root (origin) " + id + " cannot be removed");
    }
    MoveLog log = new MoveLog();
    removeNode(node, strategy, log);
    Compaction.run(tree, log);
    return finish(log);
  }

  private void removeNode(Node node, RepairStrategy strategy, MoveLog log) {
    if (node.isLeaf()) {
      tree.removeLeaf(node);
    } else {
      strategy.repair(tree, node, log);
    }
  }

  /**
   * Changes the slots a node asks for (e.g. after measuring its uplink); it gets them within the
   * ceiling its children's reports left it (none if it is demoted). Excess children, youngest
   * first, move with their subtrees to the shallowest open slots outside themselves.
   */
  public List<Move> setCapacity(String id, int capacity) {
    return setCapacity(id, capacity, Standing.NEVER, TrustRule.DEFAULT);
  }

  /**
   * As {@link #setCapacity(String, int)}, and at {@code now} the node earns back what {@code rule}
   * gives a quiet period: a demotion's bar ends, or one slot of its ceiling returns (see {@link
   * #reportStarving}).
   */
  public List<Move> setCapacity(String id, int capacity, long now, TrustRule rule) {
    Node node = tree.require(id);
    if (capacity < 0 || capacity > tree.maxChildren) {
      throw new IllegalArgumentException(
          "capacity must be 0.." + tree.maxChildren + ", got " + capacity);
    }
    Objects.requireNonNull(rule, "rule");
    node.standing.requested = capacity;
    if (now != Standing.NEVER) {
      earn(node, now, rule);
    }
    MoveLog log = new MoveLog();
    resize(node, log);
    Compaction.run(tree, log);
    return finish(log);
  }

  /** A quiet period over: the bar ends, or one slot of the ceiling comes back. */
  private void earn(Node node, long now, TrustRule rule) {
    Standing st = node.standing;
    if (st.ceiling >= st.requested && !st.demoted) {
      return;
    }
    if (now - st.quietSince < rule.quietPeriod(st.backoff)) {
      return;
    }
    st.demoted = false;
    if (!node.isLeaf()) {
      st.backoff = 0; // it fed a child through the whole period: no report came
    }
    st.ceiling = Math.min(Standing.NO_CEILING, st.ceiling + 1);
    st.quietSince = now;
  }

  /**
   * When {@link #setCapacity(String, int, long, TrustRule)} could next give the node something
   * back, or {@code Long.MAX_VALUE} if it has its slots.
   */
  public long nextEarnAt(String id, TrustRule rule) {
    Standing st = tree.require(id).standing;
    if (st.ceiling >= st.requested && !st.demoted) {
      return Long.MAX_VALUE;
    }
    return st.quietSince + rule.quietPeriod(st.backoff);
  }

  /**
   * Brings a node's capacity to its standing's slots; children beyond them move, youngest first.
   */
  private void resize(Node node, MoveLog log) {
    int capacity = node.standing.slots();
    if (capacity == node.capacity) {
      return;
    }
    tree.setCapacity(node, capacity);
    int overflow = node.children.size() - capacity;
    if (overflow > 0) {
      List<Node> excess = new ArrayList<>(node.children);
      excess.sort(NodeOrder.YOUNGEST_FIRST);
      excess = excess.subList(0, overflow);
      for (Node child : excess) {
        tree.detach(child, log);
      }
      for (Node child : excess) {
        tree.placeDetached(child, log);
      }
    }
  }

  /**
   * Re-attaches a node with its subtree at the shallowest open slot outside its own subtree and
   * outside {@code avoidParent}'s subtree (a parent sending bad data feeds its whole subtree the
   * same data). An unknown or null {@code avoidParent} avoids nothing. Returns no moves if there is
   * no such slot.
   */
  public List<Move> moveAway(String id, String avoidParent) {
    Node node = tree.require(id);
    if (node == tree.root) {
      throw new IllegalArgumentException("the root cannot move");
    }
    Node avoid = avoidParent == null ? null : tree.get(avoidParent);
    MoveLog log = new MoveLog();
    if (moveAway(node, avoid, log)) {
      Compaction.run(tree, log, node, avoid);
    }
    return finish(log);
  }

  private boolean moveAway(Node node, Node avoid, MoveLog log) {
    if (avoid == tree.root) {
      return false; // everything is under the root
    }
    Node current = node.parent;
    Node target =
        tree.indexes.bestOpen(
            c ->
                c != current
                    && !tree.inSubtree(c, node)
                    && (avoid == null || !tree.inSubtree(c, avoid)));
    if (target == null) {
      return false;
    }
    tree.move(node, target, -1, log);
    return true;
  }

  /**
   * A child reports that its parent starves it: over its last window the open link delivered {@code
   * share} of what it took in (NaN: unknown, e.g. the link never opened). The child moves away with
   * its subtree, as {@link #moveAway} does, and a viewer parent (never the root or a booster: the
   * stream's own) pays by its standing:
   *
   * <ul>
   *   <li>it loses the reporter's slot: its ceiling becomes the children it still has (a weak line
   *       loses the children it cannot feed, and is not branded);
   *   <li>the report is <em>withheld</em> if {@code share < rule.withheldShare()} while the parent
   *       is fed (it has not reported its own parent within the window); a second withheld report
   *       from a different child within the window, or the first after an earlier demotion, demotes
   *       it: a leaf until {@code now + barMs × 2^(demotions−1)};
   *   <li>it earns back one slot per quiet period ({@code earnMs × 2^backoff}, backoff = reports
   *       since it last earned a slot while feeding a child), and its bar ends the same way, in
   *       {@link #setCapacity(String, int, long, TrustRule)}.
   * </ul>
   *
   * No moves and no change if {@code childId} is not {@code parentId}'s child.
   *
   * @param now when the report arrived (the caller's clock; replicas replay the same value)
   */
  public List<Move> reportStarving(
      String childId, String parentId, double share, long now, TrustRule rule) {
    Node child = tree.require(childId);
    Node parent = child.parent;
    Objects.requireNonNull(rule, "rule");
    if (parent == null || !parent.id.equals(parentId)) {
      return List.of();
    }
    child.standing.starvedAt = now;
    MoveLog log = new MoveLog();
    moveAway(child, parent, log);
    if (parent != tree.root && parent.role != Role.BOOSTER) {
      Standing st = parent.standing;
      st.quietSince = now;
      st.backoff = Math.min(st.backoff + 1, TrustRule.MAX_DOUBLINGS);
      boolean withheld =
          rule.windowMs() >= 0 && share < rule.withheldShare() && st.fed(now, rule.windowMs());
      if (withheld) {
        boolean demote =
            st.demotions > 0
                || st.strikeBy != null
                    && !st.strikeBy.equals(childId)
                    && now - st.strikeAt <= rule.windowMs();
        st.strikeBy = childId;
        st.strikeAt = now;
        if (demote) {
          st.demotions++;
          st.demoted = true;
          st.ceiling = 0;
          st.quietSince = now + rule.bar(st.demotions);
          st.barredUntil = st.quietSince;
        }
      }
      st.ceiling = Math.min(st.ceiling, parent.children.size());
      resize(parent, log);
    }
    Compaction.run(tree, log, child, parent);
    return finish(log);
  }

  /** True while the node is demoted for starving its children ({@link #reportStarving}). */
  public boolean isDemoted(String id) {
    return tree.require(id).standing.demoted;
  }

  /** How often the node was demoted. */
  public int demotions(String id) {
    return tree.require(id).standing.demotions;
  }

  /**
   * The most slots its children's reports leave the node ({@code maxChildren} or more: no limit).
   */
  public int ceiling(String id) {
    return tree.require(id).standing.ceiling;
  }

  /**
   * A child too slow for its parent: re-attach it, with its subtree, under another parent that is
   * no shallower than its current one (not promoted for being slow; compaction may still lift its
   * leaves to keep the depth bound, but never back under that parent). No moves if there is no such
   * slot, and none for a booster: it is the backbone, with the best uplink in its subtree; under a
   * viewer it would be fed by a worse one, and its own HTTP fallback already heals what its link is
   * too slow for.
   */
  public List<Move> moveDown(String id) {
    Node node = tree.require(id);
    if (node == tree.root) {
      throw new IllegalArgumentException("the root cannot move");
    }
    if (node.role == Role.BOOSTER) {
      return List.of();
    }
    Node current = node.parent;
    // Never deepen the tree past its bound for a slow child: its subtree moves with it.
    int limit = Math.max(depthBound(tree.size()), tree.indexes.maxDepth());
    Node target =
        tree.indexes.bestOpen(
            c ->
                c != current
                    && c.depth >= current.depth
                    && c.depth + 1 + node.height <= limit
                    && !tree.inSubtree(c, node));
    if (target == null) {
      return List.of();
    }
    MoveLog log = new MoveLog();
    tree.move(node, target, -1, log);
    Compaction.run(tree, log, node, current);
    return finish(log);
  }

  private List<Move> finish(MoveLog log) {
    lastDepthChanges = log.depthChanges();
    return log.moves();
  }

  public void setOwner(String id, String owner) {
    Node node = tree.require(id);
    if (!Objects.equals(owner, node.owner)) {
      tree.setOwner(node, owner);
    }
  }

  /** Ids of the nodes held by {@code owner}, in join order. */
  public List<String> nodesOwnedBy(String owner) {
    List<String> ids = new ArrayList<>();
    for (Node node : tree.ownedBy(owner)) {
      ids.add(node.id);
    }
    return ids;
  }

  /**
   * Removes every non-root node held by a coordinator process that died, deepest first (fewer
   * repairs), and marks the root unconnected if that process held it. Moves of removed nodes are
   * left out.
   */
  public List<Move> removeOwnedBy(String owner, RepairStrategy strategy) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(strategy, "strategy");
    List<Node> doomed = new ArrayList<>(tree.ownedBy(owner));
    doomed.remove(tree.root);
    doomed.sort(Comparator.<Node>comparingInt(n -> -n.depth).thenComparingLong(n -> n.seq));
    Set<String> doomedIds = new HashSet<>();
    for (Node node : doomed) {
      doomedIds.add(node.id);
    }
    MoveLog log = new MoveLog();
    for (Node node : doomed) {
      if (node.live) { // an earlier repair may have evicted it
        removeNode(node, strategy, log);
      }
    }
    if (owner.equals(tree.root.owner)) {
      tree.setOwner(tree.root, null);
    }
    Compaction.run(tree, log);
    List<Move> moves = new ArrayList<>();
    for (Move move : finish(log)) {
      if (!doomedIds.contains(move.nodeId())) {
        moves.add(move);
      }
    }
    return moves;
  }

  // ---- queries
  // ----------------------------------------------------------------------------------------

  public String stream() {
    return stream;
  }

  public String rootId() {
    return tree.root.id;
  }

  public int maxChildren() {
    return tree.maxChildren;
  }

  public int bitrateKbps() {
    return bitrateKbps;
  }

  /** The stream's creation time (the root's joinedAt). */
  public long createdAt() {
    return tree.root.joinedAt;
  }

  public boolean contains(String id) {
    return id != null && tree.get(id) != null;
  }

  /** A snapshot of the node, or null if absent. */
  public TreeNode node(String id) {
    Node node = id == null ? null : tree.get(id);
    return node == null ? null : node.view();
  }

  /** True iff one is the other's parent, i.e. they share a tree edge. */
  public boolean areNeighbours(String a, String b) {
    Node x = a == null ? null : tree.get(a);
    Node y = b == null ? null : tree.get(b);
    return x != null && y != null && (x.parent == y || y.parent == x);
  }

  /** Number of nodes, root included. */
  public int size() {
    return tree.size();
  }

  public int maxDepth() {
    return tree.indexes.maxDepth();
  }

  /** Depth of the shallowest node with a free slot, or -1 if none. */
  public int shallowestOpenDepth() {
    return tree.indexes.shallowestOpenDepth();
  }

  /** Nodes per depth, index = depth (for metrics). */
  public int[] depthHistogram() {
    return tree.indexes.depthHistogram();
  }

  /** Snapshots of all nodes, root first, children in order. O(n). */
  public List<TreeNode> breadthFirst() {
    List<TreeNode> out = new ArrayList<>(size());
    ArrayDeque<Node> queue = new ArrayDeque<>();
    queue.add(tree.root);
    while (!queue.isEmpty()) {
      Node node = queue.poll();
      out.add(node.view());
      queue.addAll(node.children);
    }
    return out;
  }

  /**
   * Checks every invariant, O(n); throws IllegalStateException naming the broken one and the node.
   */
  public void validate() {
    TreeValidator.validate(tree);
  }

  // ---- serialisation
  // ----------------------------------------------------------------------------------

  /** Compact binary form; the first byte is the format version. */
  public void writeTo(DataOutput out) throws IOException {
    TreeCodec.write(this, out);
  }

  /**
   * Reads {@link #writeTo}'s form; corrupt input fails with IOException (bounded work, no large
   * allocation).
   */
  public static StreamTree readFrom(DataInput in) throws IOException {
    return TreeCodec.read(in);
  }

  @Override
  public String toString() {
    return "StreamTree[" + stream + ", " + size() + " nodes, depth " + maxDepth() + "]";
  }
}

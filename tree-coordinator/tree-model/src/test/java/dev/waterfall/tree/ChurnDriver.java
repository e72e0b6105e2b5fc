package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Drives a tree through a seeded random mix of every mutation the coordinator makes, checking the
 * rules each step promises. Same seed, same strategy: same sequence, so failures reproduce.
 */
final class ChurnDriver {
  private static final int OWNERS = 8;

  /**
   * Which weaker viewer a joiner swaps with: shallowest, fewest slots, youngest (see
   * StreamTree.join).
   */
  private static final Comparator<NodeView> SWAP_ORDER =
      Comparator.comparingInt(NodeView::depth)
          .thenComparingInt(NodeView::capacity)
          .thenComparing(Comparator.comparingLong(NodeView::joinedAt).reversed())
          .thenComparing(Comparator.comparingLong(NodeView::sequence).reversed());

  /** Capacity mix of joining nodes. */
  enum Mix {
    /** Everyone at maxChildren (4): the depth bound must hold. */
    FULL,
    /** 30% upload:false, the rest 1..4: slots to spare. */
    MIXED,
    /** Mostly 0 or 1: the tree is often full, so joins fail and repairs must evict. */
    SCARCE
  }

  private final StreamTree tree;
  private final Random random;
  private final RepairStrategy strategy;
  private final Mix mix;
  private final boolean fullCapacity;
  private final int targetSize;
  private final List<String> ids = new ArrayList<>(); // may hold ids that left; pruned when drawn
  private long clock;
  private int counter;
  int evictions;

  ChurnDriver(long seed, RepairStrategy strategy, Mix mix, int targetSize) {
    this(new StreamTree("s", "origin", 4, 1000, 0), seed, strategy, mix, targetSize);
  }

  private ChurnDriver(
      StreamTree tree, long seed, RepairStrategy strategy, Mix mix, int targetSize) {
    this.tree = tree;
    this.random = new Random(seed);
    this.strategy = strategy;
    this.mix = mix;
    this.fullCapacity = mix == Mix.FULL;
    this.targetSize = targetSize;
    for (TreeNode node : tree.breadthFirst()) {
      if (!node.id().equals(tree.rootId())) {
        ids.add(node.id());
      }
      clock = Math.max(clock, node.joinedAt());
    }
    counter = tree.size() * 10 + 1_000_000;
  }

  /**
   * Continues from an existing tree (e.g. a deserialised copy); ids come from a breadth-first walk.
   */
  static ChurnDriver continuing(StreamTree tree, long seed, RepairStrategy strategy) {
    return new ChurnDriver(tree, seed, strategy, Mix.MIXED, tree.size());
  }

  StreamTree tree() {
    return tree;
  }

  void run(int steps, boolean check) {
    for (int i = 0; i < steps; i++) {
      step(check);
      if (check) {
        tree.validate();
        if (fullCapacity) {
          assertThat(tree.maxDepth())
              .as("depth bound at size %d", tree.size())
              .isLessThanOrEqualTo(StreamTree.depthBound(tree.size()));
          assertThat(evictions).isZero();
        }
      }
    }
  }

  private void step(boolean check) {
    boolean grow = tree.size() < targetSize;
    double r = random.nextDouble();
    if (r < (grow ? 0.55 : 0.35)) {
      joinViewer(check);
    } else if (r < (grow ? 0.62 : 0.42)) {
      joinBooster(check);
    } else if (r < 0.80 || (r < 0.86 && fullCapacity)) {
      remove(check);
    } else if (r < 0.86) {
      setCapacity(check);
    } else if (r < 0.88) {
      moveAway(check);
    } else if (r < 0.90) {
      reportStarving(check);
    } else if (r < 0.93) {
      moveDown(check);
      // rare: a coordinator process dying takes an eighth of the tree with it
    } else if (r < 0.9315) {
      removeOwnedBy(check);
    } else {
      String id = pickId();
      if (id != null) {
        tree.setOwner(id, randomOwner());
      }
    }
  }

  private void joinViewer(boolean check) {
    int open = tree.shallowestOpenDepth();
    NodeSpec spec = spec(Role.VIEWER, fullCapacity ? 4 : randomCapacity());
    NodeView weak = check || open < 0 ? swapTarget(spec.capacity(), open) : null;
    if (open < 0 && weak == null) {
      assertThatThrownBy(() -> tree.join(spec)).isInstanceOf(NoOpenSlotException.class);
      return;
    }
    JoinResult result = tree.join(spec);
    ids.add(spec.id());
    if (check) {
      if (weak == null) {
        assertThat(result.depth())
            .as("viewer joins just below the shallowest open slot")
            .isEqualTo(open + 1);
        assertThat(result.moves()).isEmpty();
      } else {
        assertSwapped(result, weak);
      }
      assertPlaced(result);
    }
  }

  /**
   * The join rule, restated from a snapshot: the viewer a joiner with {@code capacity} slots takes
   * the place of is the shallowest viewer with fewer slots strictly above the free slot's level
   * (any depth if none is free), the fewest slots among equals, then the youngest; null if none
   * (the joiner takes the free slot).
   */
  private NodeView swapTarget(int capacity, int open) {
    NodeView best = null;
    for (TreeNode node : tree.breadthFirst()) {
      NodeView n = (NodeView) node;
      if (n.role() == Role.VIEWER
          && n.capacity() < capacity
          && (open < 0 || n.depth() <= open)
          && (best == null || SWAP_ORDER.compare(n, best) < 0)) {
        best = n;
      }
    }
    return best;
  }

  /**
   * The joiner hangs where {@code weak} hung; {@code weak}'s children and then {@code weak} hang
   * under it.
   */
  private void assertSwapped(JoinResult result, NodeView weak) {
    assertThat(result.parent()).isEqualTo(weak.parentId());
    assertThat(result.depth()).isEqualTo(weak.depth());
    List<Move> expected = new ArrayList<>();
    for (String child : weak.childIds()) {
      expected.add(new Move(child, weak.id(), result.nodeId(), weak.depth() + 1));
    }
    expected.add(new Move(weak.id(), weak.parentId(), result.nodeId(), weak.depth() + 1));
    assertThat(result.moves()).containsExactlyElementsOf(expected);
    assertThat(tree.node(weak.id()).childIds()).isEmpty();
  }

  private void joinBooster(boolean check) {
    int open = tree.shallowestOpenDepth();
    NodeSpec spec =
        spec(
            Role.BOOSTER,
            mix != Mix.SCARCE && (fullCapacity || random.nextInt(10) > 0) ? 4 : randomCapacity());
    JoinResult result;
    try {
      result = tree.join(spec);
    } catch (NoOpenSlotException full) {
      assertThat(open).isEqualTo(-1);
      return;
    }
    ids.add(spec.id());
    if (check) {
      if (open >= 0) {
        assertThat(result.depth()).isLessThanOrEqualTo(open + 1);
      }
      assertPlaced(result);
      assertMoves(result.moves());
    }
  }

  private void remove(boolean check) {
    String id = pickId();
    if (id == null) {
      return;
    }
    List<Move> moves = tree.remove(id, strategy);
    assertThat(tree.contains(id)).isFalse();
    if (check) {
      assertMoves(moves);
    }
  }

  private void setCapacity(boolean check) {
    boolean root = random.nextInt(20) == 0;
    String id = root ? tree.rootId() : pickId();
    if (id != null) {
      // the origin always uploads: a zero-capacity root would evict everyone, which tests nothing
      // further
      int requested = root ? 1 + random.nextInt(4) : randomCapacity();
      // Half the time with the clock (a heartbeat): the node may earn back a slot or end its bar.
      boolean timed = random.nextBoolean();
      int ceilingBefore = tree.ceiling(id);
      boolean demotedBefore = tree.isDemoted(id);
      List<Move> moves =
          timed ? tree.setCapacity(id, requested, clock, RULE) : tree.setCapacity(id, requested);
      if (check) {
        assertMoves(moves);
        int capacity = tree.node(id).capacity();
        assertThat(capacity).as("never more than asked for").isLessThanOrEqualTo(requested);
        assertThat(tree.ceiling(id))
            .as("at most one slot earned back per call, and only with the clock")
            .isBetween(ceilingBefore, timed ? ceilingBefore + 1 : ceilingBefore);
        if (demotedBefore && !timed) {
          assertThat(tree.isDemoted(id)).as("only time ends a bar").isTrue();
        }
        if (tree.isDemoted(id)) {
          assertThat(capacity).as("a demoted node is a leaf").isZero();
        }
      }
    }
  }

  private void moveAway(boolean check) {
    String id = pickId();
    if (id == null) {
      return;
    }
    String avoid = random.nextInt(5) > 0 ? tree.node(id).parentId() : pickId();
    List<Move> moves = tree.moveAway(id, avoid);
    if (check) {
      assertMoves(moves);
      if (!moves.isEmpty() && avoid != null && tree.contains(avoid)) {
        for (String up = tree.node(id).parentId(); up != null; up = tree.node(up).parentId()) {
          assertThat(up).as("moved away from %s", avoid).isNotEqualTo(avoid);
        }
      }
    }
  }

  /**
   * A child reports its parent starving it, with a share that says withheld (0, 0.05), weak (0.3,
   * 0.45) or nothing (NaN); two different withheld ones within 20 ticks of the clock demote a
   * viewer.
   */
  private void reportStarving(boolean check) {
    String id = pickId();
    if (id == null || id.equals(tree.rootId())) {
      return;
    }
    String parent = tree.node(id).parentId();
    double share = SHARES[random.nextInt(SHARES.length)];
    boolean wasDemoted = tree.isDemoted(parent);
    int demotions = tree.demotions(parent);
    int ceiling = tree.ceiling(parent);
    int fed = tree.node(parent).childIds().size();
    List<Move> moves = tree.reportStarving(id, parent, share, clock, RULE);
    if (check) {
      assertMoves(moves);
      TreeNode reported = tree.node(parent);
      if (reported.role() == Role.VIEWER) {
        assertThat(tree.ceiling(parent))
            .as("a reported viewer keeps no more slots than the children it fed")
            .isLessThanOrEqualTo(Math.min(ceiling, fed));
      } else {
        assertThat(tree.ceiling(parent))
            .as("the root and boosters keep their slots")
            .isEqualTo(ceiling);
      }
      if (!(share < RULE.withheldShare())) {
        assertThat(tree.demotions(parent)).as("a weak report never demotes").isEqualTo(demotions);
      }
      if (tree.isDemoted(parent) && !wasDemoted) {
        assertThat(reported.capacity()).as("a demoted node is a leaf").isZero();
        assertThat(reported.childIds()).isEmpty();
        assertThat(reported.role()).isEqualTo(Role.VIEWER);
        assertThat(tree.demotions(parent)).isEqualTo(demotions + 1);
      }
    }
  }

  private static final double[] SHARES = {0, 0.05, 0.3, 0.45, Double.NaN};

  /** Short bars and quiet periods, so they end within a run's clock. */
  private static final TrustRule RULE = new TrustRule(20, 0.1, 30, 10);

  private void moveDown(boolean check) {
    String id = pickId();
    if (id == null) {
      return;
    }
    String parentBefore = tree.node(id).parentId();
    List<Move> moves = tree.moveDown(id);
    if (check) {
      assertMoves(moves);
      if (!moves.isEmpty() && tree.contains(id) && tree.node(id).parentId() != null) {
        // Compaction may lift it later (to keep the depth bound), but never back under the parent
        // that reported it.
        assertThat(tree.node(id).parentId()).isNotEqualTo(parentBefore);
      }
    }
  }

  private void removeOwnedBy(boolean check) {
    String owner = "c" + random.nextInt(OWNERS);
    String rootOwner = tree.node(tree.rootId()).owner();
    List<Move> moves = tree.removeOwnedBy(owner, strategy);
    if (check) {
      assertThat(tree.nodesOwnedBy(owner)).isEmpty();
      if (owner.equals(rootOwner)) {
        assertThat(tree.node(tree.rootId()).owner()).isNull();
      }
      assertMoves(moves);
    }
  }

  private void assertPlaced(JoinResult result) {
    TreeNode node = tree.node(result.nodeId());
    assertThat(node.parentId()).isEqualTo(result.parent());
    assertThat(node.depth()).isEqualTo(result.depth());
  }

  private void assertMoves(List<Move> moves) {
    for (Move move : moves) {
      if (move.isEviction()) {
        evictions++;
        assertThat(tree.contains(move.nodeId())).isFalse();
      } else {
        TreeNode node = tree.node(move.nodeId());
        assertThat(node).as("moved node %s still present", move.nodeId()).isNotNull();
        assertThat(node.parentId()).isEqualTo(move.newParent()).isNotEqualTo(move.oldParent());
        assertThat(node.depth()).isEqualTo(move.newDepth());
      }
    }
    assertThat(moves).extracting(Move::nodeId).doesNotHaveDuplicates();
  }

  private NodeSpec spec(Role role, int capacity) {
    clock += random.nextInt(3); // sometimes equal join times, to exercise the sequence tie-break
    return new NodeSpec("n" + counter++, role, capacity, clock, randomOwner());
  }

  private int randomCapacity() {
    int roll = random.nextInt(10);
    if (mix == Mix.SCARCE) {
      return roll < 4 ? 0 : roll < 8 ? 1 : 2 + random.nextInt(3);
    }
    return roll < 3 ? 0 : 1 + random.nextInt(4);
  }

  private String randomOwner() {
    int pick = random.nextInt(OWNERS + 1);
    return pick == OWNERS ? null : "c" + pick;
  }

  private String pickId() {
    while (!ids.isEmpty()) {
      int index = random.nextInt(ids.size());
      String id = ids.get(index);
      if (tree.contains(id)) {
        return id;
      }
      ids.set(index, ids.get(ids.size() - 1));
      ids.remove(ids.size() - 1);
    }
    return null;
  }
}

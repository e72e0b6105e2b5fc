package dev.waterfall.coordinator.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import dev.waterfall.coordinator.cluster.Outcomes.Moved;
import dev.waterfall.coordinator.cluster.Outcomes.Place;
import dev.waterfall.coordinator.cluster.Outcomes.Removed;
import dev.waterfall.coordinator.cluster.Outcomes.Reported;
import dev.waterfall.coordinator.cluster.Outcomes.Resumed;
import dev.waterfall.coordinator.cluster.Outcomes.RootClaim;
import dev.waterfall.coordinator.cluster.Outcomes.Shape;
import dev.waterfall.coordinator.cluster.Outcomes.SweepResult;
import dev.waterfall.tree.JoinResult;
import dev.waterfall.tree.Move;
import dev.waterfall.tree.NoOpenSlotException;
import dev.waterfall.tree.NodeSpec;
import dev.waterfall.tree.RepairStrategies;
import dev.waterfall.tree.Role;
import dev.waterfall.tree.StreamTree;
import dev.waterfall.tree.TreeNode;
import dev.waterfall.tree.TrustRule;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every change to a stream's tree is one of these entry processors, run on the partition that owns
 * the tree and replayed on its backup. They must therefore be deterministic: ids and times come in
 * as arguments. A processor for a stream with no tree returns null.
 */
public final class TreeProcessors {
  private TreeProcessors() {}

  /**
   * Load the tree, apply, store it back (OBJECT format: setValue keeps the same instance, no copy).
   */
  public interface Mutation<R> extends EntryProcessor<String, StreamTree, R>, Serializable {
    R apply(StreamTree tree);

    @Override
    default R process(Map.Entry<String, StreamTree> entry) {
      StreamTree tree = entry.getValue();
      if (tree == null) {
        return null;
      }
      R result = apply(tree);
      entry.setValue(tree);
      return result;
    }
  }

  /** A query: no write, and no replay on the backup. */
  public interface Query<R> extends EntryProcessor<String, StreamTree, R>, ReadOnly, Serializable {
    R apply(StreamTree tree);

    @Override
    default R process(Map.Entry<String, StreamTree> entry) {
      return entry.getValue() == null ? null : apply(entry.getValue());
    }

    @Override
    default EntryProcessor<String, StreamTree, R> getBackupProcessor() {
      return null;
    }
  }

  static Shape shape(StreamTree tree) {
    return new Shape(tree.size(), tree.maxDepth());
  }

  static Place place(StreamTree tree, TreeNode n) {
    List<String> owners = new ArrayList<>();
    for (String c : n.childIds()) {
      owners.add(tree.node(c).owner());
    }
    return new Place(
        Roles.onWire(n.role()).wire(),
        n.parentId(),
        n.depth(),
        n.capacity(),
        List.copyOf(n.childIds()),
        owners);
  }

  public record Create(
      String stream, String rootId, int maxChildren, int bitrateKbps, long createdAt)
      implements EntryProcessor<String, StreamTree, Boolean>, Serializable {
    @Override
    public Boolean process(Map.Entry<String, StreamTree> entry) {
      if (entry.getValue() != null) {
        return false;
      }
      entry.setValue(new StreamTree(stream, rootId, maxChildren, bitrateKbps, createdAt));
      return true;
    }
  }

  /**
   * A null parent in the outcome: no node has a free slot (e.g. everyone joined with upload:false),
   * or the tree already holds {@code maxNodes} (the shape's size tells which). Checked here,
   * atomically with the join.
   */
  public record Join(String id, Role role, int capacity, long joinedAt, String owner, int maxNodes)
      implements Mutation<Outcomes.Joined> {
    @Override
    public Outcomes.Joined apply(StreamTree tree) {
      if (tree.size() >= maxNodes) {
        return new Outcomes.Joined(null, null, -1, 0, List.of(), shape(tree));
      }
      JoinResult r;
      try {
        r =
            tree.join(
                new NodeSpec(id, role, Math.min(capacity, tree.maxChildren()), joinedAt, owner));
      } catch (NoOpenSlotException full) {
        return new Outcomes.Joined(null, null, -1, 0, List.of(), shape(tree));
      }
      return new Outcomes.Joined(
          r.parent(),
          tree.node(r.parent()).owner(),
          r.depth(),
          tree.node(id).capacity(),
          Edge.of(tree, r.moves()),
          shape(tree));
    }
  }

  /** The origin takes the root; refused while another coordinator's origin holds it. */
  public record ClaimRoot(String owner) implements Mutation<RootClaim> {
    @Override
    public RootClaim apply(StreamTree tree) {
      TreeNode root = tree.node(tree.rootId());
      if (root.owner() != null && !root.owner().equals(owner)) {
        return new RootClaim(false, null);
      }
      tree.setOwner(tree.rootId(), owner);
      return new RootClaim(true, place(tree, root));
    }
  }

  /** The origin left: the root stays, unowned, with its subtree in place. */
  public record ReleaseRoot(String owner) implements Mutation<Boolean> {
    @Override
    public Boolean apply(StreamTree tree) {
      if (!owner.equals(tree.node(tree.rootId()).owner())) {
        return false;
      }
      tree.setOwner(tree.rootId(), null);
      return true;
    }
  }

  /**
   * The origin's place is taken from whichever coordinator holds it (its publish key was rotated
   * with disconnect): the root stays, unowned, and every resume token issued for it is spent, since
   * a resume needs the owner its token names ({@link Resume}). True if it had an owner.
   */
  public record RevokeRoot() implements Mutation<Boolean> {
    @Override
    public Boolean apply(StreamTree tree) {
      boolean owned = tree.node(tree.rootId()).owner() != null;
      tree.setOwner(tree.rootId(), null);
      return owned;
    }
  }

  /**
   * Removes a node only while {@code owner} still holds it: a node resumed elsewhere is not removed
   * by its old socket.
   */
  public record Remove(String id, String owner, String strategy) implements Mutation<Removed> {
    @Override
    public Removed apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null || id.equals(tree.rootId()) || !owner.equals(node.owner())) {
        return new Removed(null, null, List.of(), shape(tree));
      }
      String parent = node.parentId();
      List<Move> moves = tree.remove(id, RepairStrategies.byName(strategy));
      TreeNode p = tree.node(parent);
      return new Removed(
          p == null ? null : parent,
          p == null ? null : p.owner(),
          Edge.of(tree, moves),
          shape(tree));
    }
  }

  /**
   * Hands a place to {@code owner} only while {@code tokenOwner} (the coordinator whose welcome
   * issued the resume token) still holds it: a token issued before the place was last resumed is
   * spent.
   */
  public record Resume(String id, String owner, String tokenOwner) implements Mutation<Resumed> {
    @Override
    public Resumed apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null) {
        return Resumed.GONE;
      }
      if (!tokenOwner.equals(node.owner())) {
        return Resumed.SPENT;
      }
      tree.setOwner(id, owner);
      return new Resumed(place(tree, node), false);
    }
  }

  /**
   * The slots a node asks for (its measured uplink's), and at {@code now} what a quiet period earns
   * it back under {@code rule} (StreamTree.setCapacity).
   */
  public record SetCapacity(String id, int capacity, long now, TrustRule rule)
      implements Mutation<Outcomes.Resized> {
    @Override
    public Outcomes.Resized apply(StreamTree tree) {
      int slots = Math.min(capacity, tree.maxChildren());
      TreeNode node = tree.node(id);
      if (node == null || node.role() == Role.ORIGIN) {
        return new Outcomes.Resized(new Moved(List.of(), shape(tree)), Long.MAX_VALUE);
      }
      Moved moved = new Moved(Edge.of(tree, tree.setCapacity(id, slots, now, rule)), shape(tree));
      return new Outcomes.Resized(moved, tree.nextEarnAt(id, rule));
    }
  }

  /**
   * A child reports its parent (bad data, starving): it moves, with its subtree, out of that
   * parent's subtree.
   */
  public record MoveAway(String id, String avoid) implements Mutation<Moved> {
    @Override
    public Moved apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null || !avoid.equals(node.parentId())) {
        return new Moved(List.of(), shape(tree));
      }
      return new Moved(Edge.of(tree, tree.moveAway(id, avoid)), shape(tree));
    }
  }

  /**
   * A child reports its parent starving it, having measured {@code share} of the stream from it
   * (NaN: unknown): it moves away, and a viewer parent loses its slot or, withholding, is demoted
   * (StreamTree.reportStarving).
   */
  public record ReportStarving(String id, String parent, double share, long now, TrustRule rule)
      implements Mutation<Reported> {
    @Override
    public Reported apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null || !parent.equals(node.parentId())) {
        return new Reported(new Moved(List.of(), shape(tree)), false);
      }
      boolean before = tree.isDemoted(parent);
      List<Edge> moves = Edge.of(tree, tree.reportStarving(id, parent, share, now, rule));
      return new Reported(new Moved(moves, shape(tree)), !before && tree.isDemoted(parent));
    }
  }

  /** A parent reports its child too slow: the child moves under another parent, no shallower. */
  public record MoveDown(String id, String reporter) implements Mutation<Moved> {
    @Override
    public Moved apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null || !reporter.equals(node.parentId())) {
        return new Moved(List.of(), shape(tree));
      }
      return new Moved(Edge.of(tree, tree.moveDown(id)), shape(tree));
    }
  }

  /** Removes the nodes of a dead coordinator that did not resume in time. */
  public record SweepOwner(String owner, String strategy) implements Mutation<SweepResult> {
    @Override
    public SweepResult apply(StreamTree tree) {
      List<String> gone = new ArrayList<>(tree.nodesOwnedBy(owner));
      boolean root = gone.remove(tree.rootId());
      List<Move> moves = tree.removeOwnedBy(owner, RepairStrategies.byName(strategy));
      return new SweepResult(gone, Edge.of(tree, moves), root ? tree.rootId() : null, shape(tree));
    }
  }

  /**
   * The owner of {@code to} if it is {@code from}'s parent or child; {@code ""} for "not
   * neighbours".
   */
  public record EdgeOwner(String from, String to) implements Query<String> {
    @Override
    public String apply(StreamTree tree) {
      if (!tree.contains(from) || !tree.contains(to) || !tree.areNeighbours(from, to)) {
        return "";
      }
      String owner = tree.node(to).owner();
      return owner == null ? "" : owner;
    }
  }

  public record ShapeQuery() implements Query<Shape> {
    @Override
    public Shape apply(StreamTree tree) {
      return shape(tree);
    }
  }

  public record Snapshot() implements Query<ArrayList<NodeView>> {
    @Override
    public ArrayList<NodeView> apply(StreamTree tree) {
      ArrayList<NodeView> out = new ArrayList<>(tree.size());
      for (TreeNode n : tree.breadthFirst()) {
        out.add(
            new NodeView(
                n.id(),
                Roles.onWire(n.role()).wire(),
                n.parentId(),
                n.depth(),
                List.copyOf(n.childIds()),
                n.capacity(),
                n.joinedAt(),
                n.owner()));
      }
      return out;
    }
  }
}

package dev.waterfall.coordinator.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import dev.waterfall.coordinator.cluster.Outcomes.Moved;
import dev.waterfall.coordinator.cluster.Outcomes.Place;
import dev.waterfall.coordinator.cluster.Outcomes.Removed;
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
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every change to a stream's tree is one of these entry processors, run on the partition that owns the tree
 * and replayed on its backup. They must therefore be deterministic: ids and times come in as arguments.
 * A processor for a stream with no tree returns null.
 */
public final class TreeProcessors {
  private TreeProcessors() {}

  /** Base: load the tree, apply, store it back (OBJECT format: setValue keeps the same instance). */
  public abstract static class Mutation<R> implements EntryProcessor<String, StreamTree, R>, Serializable {
    @Override
    public R process(Map.Entry<String, StreamTree> entry) {
      StreamTree tree = entry.getValue();
      if (tree == null) {
        return null;
      }
      R result = apply(tree);
      entry.setValue(tree);
      return result;
    }

    abstract R apply(StreamTree tree);
  }

  /** Base for queries: no backup replay, no write. */
  public abstract static class Query<R> implements EntryProcessor<String, StreamTree, R>, ReadOnly, Serializable {
    @Override
    public R process(Map.Entry<String, StreamTree> entry) {
      return entry.getValue() == null ? null : apply(entry.getValue());
    }

    @Override
    public EntryProcessor<String, StreamTree, R> getBackupProcessor() {
      return null;
    }

    abstract R apply(StreamTree tree);
  }

  static Shape shape(StreamTree tree) {
    return new Shape(tree.size(), tree.maxDepth());
  }

  static Place place(StreamTree tree, TreeNode n) {
    List<String> owners = new ArrayList<>();
    for (String c : n.childIds()) {
      owners.add(tree.node(c).owner());
    }
    return new Place(n.role().name().toLowerCase(), n.parentId(), n.depth(), n.capacity(),
        List.copyOf(n.childIds()), owners);
  }

  public record Create(String stream, String rootId, int maxChildren, int bitrateKbps, long createdAt)
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

  public static final class Join extends Mutation<Outcomes.Joined> {
    private final String id;
    private final String role;
    private final int capacity;
    private final long joinedAt;
    private final String owner;

    public Join(String id, Role role, int capacity, long joinedAt, String owner) {
      this.id = id;
      this.role = role.name();
      this.capacity = capacity;
      this.joinedAt = joinedAt;
      this.owner = owner;
    }

    /** Null parent in the outcome: no node has a free slot (e.g. everyone joined with upload:false). */
    @Override
    Outcomes.Joined apply(StreamTree tree) {
      JoinResult r;
      try {
        r = tree.join(new NodeSpec(id, Role.valueOf(role), Math.min(capacity, tree.maxChildren()), joinedAt, owner));
      } catch (NoOpenSlotException full) {
        return new Outcomes.Joined(null, null, -1, 0, List.of(), shape(tree));
      }
      TreeNode parent = tree.node(r.parent());
      return new Outcomes.Joined(r.parent(), parent.owner(), r.depth(), tree.node(id).capacity(),
          Edge.of(tree, r.moves()), shape(tree));
    }
  }

  public static final class ClaimRoot extends Mutation<RootClaim> {
    private final String owner;

    public ClaimRoot(String owner) {
      this.owner = owner;
    }

    @Override
    RootClaim apply(StreamTree tree) {
      TreeNode root = tree.node(tree.rootId());
      if (root.owner() != null && !root.owner().equals(owner)) {
        return new RootClaim(false, null);
      }
      tree.setOwner(tree.rootId(), owner);
      return new RootClaim(true, place(tree, root));
    }
  }

  static final class ReleaseRoot extends Mutation<Boolean> {
    private final String owner;

    ReleaseRoot(String owner) {
      this.owner = owner;
    }

    @Override
    Boolean apply(StreamTree tree) {
      if (owner.equals(tree.node(tree.rootId()).owner())) {
        tree.setOwner(tree.rootId(), null);
        return true;
      }
      return false;
    }
  }

  /** Removes a node only while {@code owner} still holds it: a node resumed elsewhere is not removed by its old socket. */
  public static final class Remove extends Mutation<Removed> {
    private final String id;
    private final String owner;
    private final String strategy;

    public Remove(String id, String owner, String strategy) {
      this.id = id;
      this.owner = owner;
      this.strategy = strategy;
    }

    @Override
    Removed apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null || id.equals(tree.rootId()) || !owner.equals(node.owner())) {
        return new Removed(null, null, List.of(), shape(tree));
      }
      String parent = node.parentId();
      List<Move> moves = tree.remove(id, RepairStrategies.byName(strategy));
      TreeNode p = tree.node(parent);
      return new Removed(p == null ? null : parent, p == null ? null : p.owner(), Edge.of(tree, moves), shape(tree));
    }
  }

  static final class Resume extends Mutation<Place> {
    private final String id;
    private final String owner;

    Resume(String id, String owner) {
      this.id = id;
      this.owner = owner;
    }

    @Override
    Place apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null) {
        return null;
      }
      tree.setOwner(id, owner);
      return place(tree, node);
    }
  }

  static final class SetCapacity extends Mutation<Moved> {
    private final String id;
    private final int capacity;

    SetCapacity(String id, int capacity) {
      this.id = id;
      this.capacity = capacity;
    }

    @Override
    Moved apply(StreamTree tree) {
      TreeNode node = tree.node(id);
      if (node == null || node.capacity() == Math.min(capacity, tree.maxChildren())) {
        return new Moved(List.of(), shape(tree));
      }
      return new Moved(Edge.of(tree, tree.setCapacity(id, Math.min(capacity, tree.maxChildren()))), shape(tree));
    }
  }

  static final class MoveAway extends Mutation<Moved> {
    private final String id;
    private final String avoid;

    MoveAway(String id, String avoid) {
      this.id = id;
      this.avoid = avoid;
    }

    @Override
    Moved apply(StreamTree tree) {
      if (!tree.contains(id) || !tree.areNeighbours(id, avoid)) {
        return new Moved(List.of(), shape(tree));
      }
      return new Moved(Edge.of(tree, tree.moveAway(id, avoid)), shape(tree));
    }
  }

  static final class SweepOwner extends Mutation<SweepResult> {
    private final String owner;
    private final String strategy;

    SweepOwner(String owner, String strategy) {
      this.owner = owner;
      this.strategy = strategy;
    }

    @Override
    SweepResult apply(StreamTree tree) {
      List<String> gone = new ArrayList<>(tree.nodesOwnedBy(owner));
      boolean root = gone.remove(tree.rootId());
      List<Move> moves = tree.removeOwnedBy(owner, RepairStrategies.byName(strategy));
      return new SweepResult(gone, Edge.of(tree, moves), root, shape(tree));
    }
  }

  /** The owner of {@code to} if it is {@code from}'s parent or child; {@code ""} for "not neighbours". */
  static final class EdgeOwner extends Query<String> {
    private final String from;
    private final String to;

    EdgeOwner(String from, String to) {
      this.from = from;
      this.to = to;
    }

    @Override
    String apply(StreamTree tree) {
      if (!tree.contains(from) || !tree.contains(to) || !tree.areNeighbours(from, to)) {
        return "";
      }
      String owner = tree.node(to).owner();
      return owner == null ? "" : owner;
    }
  }

  public static final class ShapeQuery extends Query<Shape> {
    @Override
    Shape apply(StreamTree tree) {
      return shape(tree);
    }
  }

  public static final class Snapshot extends Query<ArrayList<NodeView>> {
    @Override
    ArrayList<NodeView> apply(StreamTree tree) {
      ArrayList<NodeView> out = new ArrayList<>(tree.size());
      for (TreeNode n : tree.breadthFirst()) {
        out.add(new NodeView(n.id(), n.role().name().toLowerCase(), n.parentId(), n.depth(),
            List.copyOf(n.childIds()), n.capacity(), n.joinedAt(), n.owner() != null));
      }
      return out;
    }
  }
}

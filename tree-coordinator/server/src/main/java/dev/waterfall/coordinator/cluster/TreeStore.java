package dev.waterfall.coordinator.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.waterfall.coordinator.cluster.Outcomes.Joined;
import dev.waterfall.coordinator.cluster.Outcomes.Moved;
import dev.waterfall.coordinator.cluster.Outcomes.Removed;
import dev.waterfall.coordinator.cluster.Outcomes.Reported;
import dev.waterfall.coordinator.cluster.Outcomes.Resumed;
import dev.waterfall.coordinator.cluster.Outcomes.RootClaim;
import dev.waterfall.coordinator.cluster.Outcomes.Shape;
import dev.waterfall.coordinator.cluster.Outcomes.SweepResult;
import dev.waterfall.tree.Role;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trees of all streams: one entry per stream in a Hazelcast map, changed only through entry
 * processors, so each change is atomic on the partition that owns the stream, wherever it was asked
 * for. Results come back on the caller's Vert.x context.
 */
public final class TreeStore {
  public static final String MAP = "waterfall.trees";
  private final IMap<String, dev.waterfall.tree.StreamTree> trees;
  private final Context context;
  private final String repairStrategy;

  /**
   * Snapshots under way, by stream (touched on the context only, but the REST and dashboard may
   * differ).
   */
  private final Map<String, Future<List<NodeView>>> snapshots = new ConcurrentHashMap<>();

  public TreeStore(HazelcastInstance hz, Context context, String repairStrategy) {
    this.trees = hz.getMap(MAP);
    this.context = context;
    this.repairStrategy = repairStrategy;
  }

  public Future<Boolean> create(
      String stream, String rootId, int maxChildren, int bitrateKbps, long now) {
    return run(stream, new TreeProcessors.Create(stream, rootId, maxChildren, bitrateKbps, now))
        .map(created -> created != null && created);
  }

  public Future<Void> delete(String stream) {
    return OnContext.future(trees.removeAsync(stream), context).mapEmpty();
  }

  public Future<Joined> join(
      String stream, String id, Role role, int capacity, long now, String owner, int maxNodes) {
    return run(stream, new TreeProcessors.Join(id, role, capacity, now, owner, maxNodes));
  }

  public Future<RootClaim> claimRoot(String stream, String owner) {
    return run(stream, new TreeProcessors.ClaimRoot(owner));
  }

  public Future<Boolean> releaseRoot(String stream, String owner) {
    return run(stream, new TreeProcessors.ReleaseRoot(owner));
  }

  /** Null when the stream has no tree; else whether the root had an owner. */
  public Future<Boolean> revokeRoot(String stream) {
    return run(stream, new TreeProcessors.RevokeRoot());
  }

  public Future<Removed> remove(String stream, String id, String owner) {
    return run(stream, new TreeProcessors.Remove(id, owner, repairStrategy));
  }

  /** Null when the stream has no tree. */
  public Future<Resumed> resume(String stream, String id, String owner, String tokenOwner) {
    return run(stream, new TreeProcessors.Resume(id, owner, tokenOwner));
  }

  public Future<Outcomes.Resized> setCapacity(
      String stream, String id, int capacity, long now, dev.waterfall.tree.TrustRule rule) {
    return run(stream, new TreeProcessors.SetCapacity(id, capacity, now, rule));
  }

  public Future<Moved> moveAway(String stream, String id, String avoid) {
    return run(stream, new TreeProcessors.MoveAway(id, avoid));
  }

  public Future<Reported> reportStarving(
      String stream,
      String id,
      String parent,
      double share,
      long now,
      dev.waterfall.tree.TrustRule rule) {
    return run(stream, new TreeProcessors.ReportStarving(id, parent, share, now, rule));
  }

  public Future<Moved> moveDown(String stream, String id, String reporter) {
    return run(stream, new TreeProcessors.MoveDown(id, reporter));
  }

  public Future<SweepResult> sweepOwner(String stream, String owner) {
    return run(stream, new TreeProcessors.SweepOwner(owner, repairStrategy));
  }

  /**
   * The owner of {@code to} when it is {@code from}'s tree neighbour; "" when not (or not
   * connected).
   */
  public Future<String> edgeOwner(String stream, String from, String to) {
    return run(stream, new TreeProcessors.EdgeOwner(from, to));
  }

  public Future<Shape> shape(String stream) {
    return run(stream, new TreeProcessors.ShapeQuery());
  }

  /**
   * The whole tree, for the REST view and the dashboard. Callers while a snapshot is under way
   * share it: the query runs on the partition thread that also serves the stream's joins, and the
   * REST tree is public, so clients polling it side by side must not queue one full copy of the
   * tree each in front of the stream's joins.
   */
  public Future<List<NodeView>> snapshot(String stream) {
    Future<List<NodeView>> running = snapshots.get(stream);
    if (running != null) {
      return running;
    }
    Future<List<NodeView>> nodes =
        OnContext.futureDecodedOffLoop(
                trees.submitToKey(stream, new TreeProcessors.Snapshot()), context)
            .map(l -> l);
    snapshots.put(stream, nodes);
    nodes.onComplete(done -> snapshots.remove(stream, nodes));
    return nodes;
  }

  public java.util.Set<String> streams() {
    return trees.keySet();
  }

  private <R> Future<R> run(
      String stream, EntryProcessor<String, dev.waterfall.tree.StreamTree, R> processor) {
    return OnContext.future(trees.submitToKey(stream, processor), context);
  }
}

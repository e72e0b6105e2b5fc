package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.dashboard.Incidents;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.streams.Fallbacks;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.ReparentReason;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;

/**
 * Takes a node out of its tree (leave, closed socket, silence) and tells everyone the repair moved.
 */
final class Departures {
  private final TreeStore trees;
  private final Switchboard switchboard;
  private final CoordinatorMetrics metrics;
  private final Fallbacks fallbacks;

  private final Incidents incidents;
  private final Clock clock;

  Departures(
      TreeStore trees,
      Fallbacks fallbacks,
      Switchboard switchboard,
      CoordinatorMetrics metrics,
      Incidents incidents,
      Clock clock) {
    this.incidents = incidents;
    this.clock = clock;
    this.fallbacks = fallbacks;
    this.trees = trees;
    this.switchboard = switchboard;
    this.metrics = metrics;
  }

  Future<Void> depart(Session s) {
    if (s.nodeId == null) {
      return Future.succeededFuture();
    }
    switchboard.unregister(s.nodeId, s);
    if (s.httpUrl != null) {
      fallbacks.remove(s.stream, List.of(s.nodeId));
    }
    if (s.root) {
      // The root stays: its children keep their places and the origin can come back.
      return trees.releaseRoot(s.stream, switchboard.self()).mapEmpty();
    }
    return trees
        .remove(s.stream, s.nodeId, switchboard.self())
        .map(
            r -> {
              if (r == null || r.parent() == null && r.moves().isEmpty()) {
                return null; // stream deleted, or the node was already gone / resumed elsewhere
              }
              metrics.departed(r.moves().size());
              metrics.shape(s.stream, r.shape());
              switchboard.deliver(r.parentOwner(), r.parent(), new Message.ChildLeft(s.nodeId));
              switchboard.announce(r.moves(), ReparentReason.PARENT_LEFT);
              if (!r.moves().isEmpty()) {
                incidents.repair(
                    s.stream,
                    s.nodeId,
                    s.departure,
                    r.moves().size(),
                    s.departureNoticed == 0 ? System.nanoTime() : s.departureNoticed,
                    clock.millis());
              }
              return null;
            });
  }
}

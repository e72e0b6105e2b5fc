package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.cluster.Outcomes.Moved;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.dashboard.Incidents;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.ReparentReason;
import dev.waterfall.protocol.ReportReason;
import dev.waterfall.protocol.Role;
import dev.waterfall.tree.StreamTree;
import io.vertx.core.Future;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a joined node tells the tree besides signals: its heartbeats (stats, a measured uplink that
 * re-sizes its slots, the slots a quiet period earns back, renewed TURN credentials and resume
 * token) and its reports (starving, bad data, a slow child), turned into moves. Called by {@link
 * SignallingServer} on the session's event loop, as the rest of the session's messages.
 */
final class NodeReports {
  private static final Logger LOG = LoggerFactory.getLogger(NodeReports.class);

  private final CoordinatorConfig config;
  private final TreeStore trees;
  private final Switchboard switchboard;
  private final CoordinatorMetrics metrics;
  private final Incidents incidents;
  private final Admission admission;
  private final NodeIceServers iceServers;
  private final Clock clock;

  NodeReports(
      CoordinatorConfig config,
      TreeStore trees,
      Switchboard switchboard,
      CoordinatorMetrics metrics,
      Incidents incidents,
      Admission admission,
      NodeIceServers iceServers,
      Clock clock) {
    this.config = config;
    this.trees = trees;
    this.switchboard = switchboard;
    this.metrics = metrics;
    this.incidents = incidents;
    this.admission = admission;
    this.iceServers = iceServers;
    this.clock = clock;
  }

  /**
   * A viewer whose slots no child's departure announced as changed still asks the tree this many
   * quiet periods apart (a report that cost it a slot while its reporter could not move).
   */
  static final int EARN_SWEEP_PERIODS = 10;

  Future<Void> heartbeat(Session s, Message.Heartbeat h) {
    s.previousStats = s.lastStats;
    s.lastStats = h.stats();
    renewIceServers(s);
    admission.renewResumeToken(s, clock.millis());
    // A measured uplink re-sizes the node's slots; a node that declared upload:false stays a leaf.
    // Every half quiet period a viewer's heartbeat also lets the tree give back what its reports
    // took, once a quiet period has earned it (boosters and the root are never reported).
    boolean viewer = Role.VIEWER.is(s.role);
    if (s.root || s.capacity == 0 || h.uplinkKbps() == null && !viewer) {
      return Future.succeededFuture();
    }
    long now = clock.millis();
    int slots =
        h.uplinkKbps() == null
            ? s.capacity
            : StreamTree.slotsFor(s.maxChildren, s.bitrateKbps, h.uplinkKbps(), true);
    // Asked when the tree said, or at once after a child left (Session.earnCheckAt).
    long sweep = now + EARN_SWEEP_PERIODS * config.tree().earnSlotMs();
    if (s.earnCheckAt == Long.MAX_VALUE) {
      s.earnCheckAt = sweep; // first heartbeat
    }
    boolean earn = viewer && now >= s.earnCheckAt;
    if (earn) {
      s.earnCheckAt = sweep; // until the tree's answer says sooner
    }
    if (slots == s.capacity && !earn) {
      return Future.succeededFuture();
    }
    s.capacity = slots;
    metrics.resized();
    return trees
        .setCapacity(s.stream, s.nodeId, slots, now, config.tree().trust())
        .map(
            resized -> {
              if (resized == null) {
                return null;
              }
              if (resized.nextEarnAt() < s.earnCheckAt) {
                s.earnCheckAt = resized.nextEarnAt();
              }
              Moved moved = resized.moved();
              if (!moved.moves().isEmpty()) {
                metrics.moved(moved.moves().size());
                switchboard.announce(moved.moves(), ReparentReason.CAPACITY_CHANGED);
              }
              return null;
            });
  }

  /**
   * Half the life of a node's TURN credentials gone: new ones, so links it opens later still get a
   * relay.
   */
  private void renewIceServers(Session s) {
    long now = clock.millis();
    if (now >= s.iceRenewAt) {
      s.iceRenewAt = iceServers.renewAt(now);
      s.send(new Message.IceServers(iceServers.forNode(s.nodeId, now)));
    }
  }

  Future<Void> report(Session s, Message.Report r) {
    metrics.error("report-" + r.reason());
    if (ReportReason.STARVING.is(r.reason())) {
      double share = r.share() == null ? Double.NaN : r.share();
      return trees
          .reportStarving(
              s.stream, s.nodeId, r.about(), share, clock.millis(), config.tree().trust())
          .map(
              reported -> {
                // null: the stream has no tree
                acted(s, r, reported == null ? null : reported.moved(), false);
                if (reported != null && reported.demoted()) {
                  LOG.info(
                      "node {} of '{}' demoted to a leaf: its children reported it withholding"
                          + " (the second: {}, share {})",
                      r.about(),
                      s.stream,
                      SignallingServer.printable(r.detail()),
                      r.share());
                  incidents.flag(s.stream, r.about(), "demoted", clock.millis());
                }
                return null;
              });
    }
    // About a parent: move the reporter away from it. About a slow child: move that child away from
    // the reporter.
    boolean aboutChild = ReportReason.SLOW_CHILD.is(r.reason());
    var move =
        aboutChild
            ? trees.moveDown(s.stream, r.about(), s.nodeId)
            : trees.moveAway(s.stream, s.nodeId, r.about());
    return move.map(
        moved -> {
          acted(s, r, moved, aboutChild);
          return null;
        });
  }

  private void acted(Session s, Message.Report r, Moved moved, boolean aboutChild) {
    if (moved == null || moved.moves().isEmpty()) {
      reject(
          s,
          ErrorCode.REPORT_IGNORED,
          "'"
              + Admission.abbreviate(r.about())
              + "' is not your "
              + (aboutChild ? "child" : "parent")
              + ", or there is no other place to move to");
    } else {
      metrics.moved(moved.moves().size());
      switchboard.announce(moved.moves(), ReportReason.fromWire(r.reason()).reparent());
      flag(s, r);
    }
  }

  /**
   * For the dashboard, once a report was acted on: a starving reporter, a parent that sent bad
   * data, a slow child.
   */
  private void flag(Session s, Message.Report r) {
    switch (ReportReason.fromWire(r.reason())) {
      case STARVING -> incidents.flag(s.stream, s.nodeId, "starving", clock.millis());
      case BAD_DATA -> incidents.flag(s.stream, r.about(), "sent bad data", clock.millis());
      case SLOW_CHILD -> incidents.flag(s.stream, r.about(), "slow", clock.millis());
    }
  }

  private void reject(Session s, ErrorCode code, String message) {
    metrics.error(code.wire());
    s.fail(code, message);
  }
}

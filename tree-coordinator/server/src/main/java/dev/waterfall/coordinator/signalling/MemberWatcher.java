package dev.waterfall.coordinator.signalling;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.dashboard.Incidents;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.streams.Fallbacks;
import dev.waterfall.protocol.ReparentReason;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a coordinator process dies, its nodes keep their places for the resume grace period (their
 * media keeps flowing peer to peer meanwhile); then the oldest surviving member removes those that
 * did not resume.
 */
public final class MemberWatcher implements MembershipListener {
  private static final Logger LOG = LoggerFactory.getLogger(MemberWatcher.class);
  private final HazelcastInstance hz;
  private final Context context;
  private final TreeStore trees;
  private final Fallbacks fallbacks;
  private final Switchboard switchboard;
  private final CoordinatorMetrics metrics;
  private final long graceMs;
  private final Incidents incidents;

  public MemberWatcher(
      HazelcastInstance hz,
      Context context,
      TreeStore trees,
      Fallbacks fallbacks,
      SignallingServer server,
      CoordinatorMetrics metrics,
      Incidents incidents,
      long graceMs) {
    this.incidents = incidents;
    this.fallbacks = fallbacks;
    this.hz = hz;
    this.context = context;
    this.trees = trees;
    this.switchboard = server.switchboard();
    this.metrics = metrics;
    this.graceMs = graceMs;
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info("coordinator joined the cluster: {}", event.getMember().getAddress());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String dead = event.getMember().getUuid().toString();
    LOG.warn(
        "coordinator left the cluster: {}; its nodes may resume for {} ms",
        event.getMember().getAddress(),
        graceMs);
    context.runOnContext(v -> context.owner().setTimer(Math.max(1, graceMs), t -> sweep(dead)));
  }

  private boolean oldest() {
    Member first = hz.getCluster().getMembers().iterator().next();
    return first.localMember();
  }

  private void sweep(String dead) {
    if (!oldest()) {
      return;
    }
    context
        .owner()
        .executeBlocking(() -> new ArrayList<>(trees.streams()), false)
        .onSuccess(
            streams -> {
              for (String stream : streams) {
                long noticed = System.nanoTime();
                trees
                    .sweepOwner(stream, dead)
                    .onSuccess(
                        r -> {
                          if (r == null) {
                            return;
                          }
                          if (!r.removed().isEmpty() || r.releasedRoot() != null) {
                            LOG.info(
                                "stream '{}': removed {} nodes that did not resume after their coordinator died",
                                stream,
                                r.removed().size());
                          }
                          r.removed().forEach(id -> metrics.departed(0));
                          List<String> gone = new ArrayList<>(r.removed());
                          if (r.releasedRoot() != null) {
                            gone.add(r.releasedRoot());
                          }
                          fallbacks.remove(stream, gone);
                          metrics.moved(r.moves().size());
                          metrics.shape(stream, r.shape());
                          switchboard.announce(r.moves(), ReparentReason.PARENT_LEFT);
                          if (!r.moves().isEmpty()) {
                            // One repair per sweep: the nodes of a dead coordinator that did not
                            // resume within the grace period.
                            incidents.repair(
                                stream,
                                r.removed().size() == 1
                                    ? r.removed().get(0)
                                    : r.removed().size() + " nodes",
                                "coordinator-lost",
                                r.moves().size(),
                                noticed,
                                System.currentTimeMillis());
                          }
                        });
              }
            });
  }
}

package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.protocol.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * The ICE servers one node is given: the configured STUN servers, and the TURN servers with
 * credentials of its own that expire {@code ttlSeconds} after they are issued. A welcome (join or
 * resume) carries fresh ones, and a node still connected when half their life has passed gets new
 * ones ({@code ice-servers}), so whatever link it opens later can still allocate on the TURN
 * server.
 */
final class NodeIceServers {
  private final List<String> stun;
  private final List<String> turn;
  private final TurnCredentials credentials;
  private final long ttlSeconds;

  NodeIceServers(CoordinatorConfig config) {
    this.stun = config.signalling().iceServers();
    this.turn = config.turn().urls();
    this.credentials = config.turn().enabled() ? new TurnCredentials(config.turn().secret()) : null;
    this.ttlSeconds = config.turn().ttlSeconds();
  }

  /**
   * What to hand {@code nodeId} now: STUN first, then TURN with credentials valid for the
   * configured time.
   */
  List<Message.IceServer> forNode(String nodeId, long nowMillis) {
    List<Message.IceServer> out = new ArrayList<>(2);
    if (!stun.isEmpty()) {
      out.add(new Message.IceServer(stun, null, null));
    }
    if (credentials != null) {
      TurnCredentials.Pair pair = credentials.issue(nodeId, nowMillis / 1000 + ttlSeconds);
      out.add(new Message.IceServer(turn, pair.username(), pair.credential()));
    }
    return List.copyOf(out);
  }

  /**
   * When a node given servers at {@code issuedAtMillis} should get fresh ones; never without TURN.
   */
  long renewAt(long issuedAtMillis) {
    return credentials == null ? Long.MAX_VALUE : issuedAtMillis + ttlSeconds * 1000 / 2;
  }
}

package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.streams.Credentials;
import dev.waterfall.coordinator.streams.StreamRecord;
import dev.waterfall.coordinator.streams.UsableUrls;
import dev.waterfall.protocol.Message;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * What an admitted node gets: its session bound to its place, its welcome (fresh TURN credentials,
 * a resume token bound to its key) and, at half the token's life, a new token. Used by {@link
 * Admission} and {@link Resumption} on the session's event loop.
 */
final class Welcomes {
  private final CoordinatorConfig config;
  private final Switchboard switchboard;
  private final Departures departures;
  private final NodeIceServers iceServers;
  private final byte[] clusterSecret;
  private final Clock clock;
  private final Supplier<List<String>> coordinators;

  Welcomes(
      CoordinatorConfig config,
      Switchboard switchboard,
      Departures departures,
      NodeIceServers iceServers,
      byte[] clusterSecret,
      Clock clock,
      Supplier<List<String>> coordinators) {
    this.config = config;
    this.switchboard = switchboard;
    this.departures = departures;
    this.iceServers = iceServers;
    this.clusterSecret = clusterSecret;
    this.clock = clock;
    this.coordinators = coordinators;
  }

  /**
   * Binds the session to its place; false (and the place given up again) if the socket closed
   * meanwhile.
   */
  boolean admitted(
      Session s, StreamRecord stream, String id, String role, int capacity, boolean root) {
    s.stream = stream.name();
    s.nodeId = id;
    s.role = role;
    s.capacity = capacity;
    s.maxChildren = stream.maxChildren();
    s.bitrateKbps = stream.bitrateKbps();
    s.root = root;
    s.lastSeen = clock.millis();
    if (s.state == Session.State.GONE || s.socket.isClosed()) {
      s.state = Session.State.GONE;
      departures.depart(s);
      return false;
    }
    s.state = Session.State.JOINED;
    switchboard.register(id, s);
    return true;
  }

  /**
   * The welcome for node {@code id} admitted on {@code s}; its ICE servers (TURN credentials) are
   * fresh for it.
   */
  Message.Welcome welcome(
      Session s,
      StreamRecord stream,
      String id,
      String parent,
      int depth,
      int capacity,
      boolean resumed,
      List<String> fallbackUrls,
      boolean viewer) {
    long now = clock.millis();
    s.iceRenewAt = iceServers.renewAt(now);
    // Only viewers get the content key: on a private stream every viewer here passed the token
    // check (or resumed a place that did); boosters and the origin never need it. A public stream
    // has none. Viewers are pages (or play like one): only the fallbacks they can fetch. Relays get
    // the whole list.
    UsableUrls.Page page = s.page;
    String resumeToken = newResumeToken(s, stream.name(), id, now);
    return new Message.Welcome(
        id,
        parent,
        depth,
        capacity,
        resumeToken,
        resumed,
        config.liveness().heartbeatIntervalMs(),
        iceServers.forNode(id, now),
        new Message.StreamInfo(
            stream.name(),
            stream.bitrateKbps(),
            stream.maxChildren(),
            stream.privateStream(),
            stream.publicKey(),
            stream.type()),
        viewer ? UsableUrls.forPage(fallbackUrls, page) : fallbackUrls,
        viewer && stream.privateStream() ? stream.contentKey() : null,
        coordinators.get());
  }

  /**
   * A resume token for node {@code id} on this session, good for {@code liveness.resumeTokenTtlMs},
   * from this client's address and with this node's key only; the session gets a fresh one at half
   * its life ({@link #renewResumeToken}). None for a node that sent no key: it could never sign a
   * resume, so it joins afresh.
   */
  private String newResumeToken(Session s, String stream, String id, long now) {
    if (s.nodeKey == null) {
      return null;
    }
    long ttl = config.liveness().resumeTokenTtlMs();
    s.resumeTokenRenewAt = now + ttl / 2;
    return Credentials.resumeToken(
        clusterSecret, stream, id, switchboard.self(), now, now + ttl, s.address, s.nodeKey);
  }

  /** Half the token's life gone (at a heartbeat): a fresh one, so a resume stays possible. */
  void renewResumeToken(Session s, long now) {
    if (now >= s.resumeTokenRenewAt && s.nodeId != null && s.stream != null && s.nodeKey != null) {
      s.send(new Message.ResumeToken(newResumeToken(s, s.stream, s.nodeId, now)));
    }
  }
}

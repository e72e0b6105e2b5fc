package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.cluster.Outcomes.Joined;
import dev.waterfall.coordinator.cluster.Outcomes.Place;
import dev.waterfall.coordinator.cluster.Roles;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.streams.Credentials;
import dev.waterfall.coordinator.streams.Fallbacks;
import dev.waterfall.coordinator.streams.StreamRecord;
import dev.waterfall.coordinator.streams.StreamRegistry;
import dev.waterfall.coordinator.streams.UsableUrls;
import dev.waterfall.coordinator.streams.ViewerTokens;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.ReparentReason;
import dev.waterfall.protocol.Role;
import dev.waterfall.tree.StreamTree;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;

/**
 * Lets a socket into a tree: {@code join} (checking the credential for the role) and {@code
 * resume}.
 */
final class Admission {
  private static final short POLICY_VIOLATION = 1008;
  private final CoordinatorConfig config;
  private final StreamRegistry streams;
  private final Fallbacks fallbacks;
  private final TreeStore trees;
  private final Switchboard switchboard;
  private final CoordinatorMetrics metrics;
  private final byte[] clusterSecret;
  private final Clock clock;
  private final Departures departures;
  private final NodeIceServers iceServers;
  private final ViewerTokens viewerTokens;
  private final java.util.function.Supplier<List<String>> coordinators;

  Admission(
      CoordinatorConfig config,
      StreamRegistry streams,
      Fallbacks fallbacks,
      TreeStore trees,
      Switchboard switchboard,
      CoordinatorMetrics metrics,
      byte[] clusterSecret,
      Clock clock,
      Departures departures,
      java.util.function.Supplier<List<String>> coordinators,
      NodeIceServers iceServers) {
    this.coordinators = coordinators;
    this.fallbacks = fallbacks;
    this.departures = departures;
    this.config = config;
    this.streams = streams;
    this.trees = trees;
    this.switchboard = switchboard;
    this.metrics = metrics;
    this.clusterSecret = clusterSecret;
    this.viewerTokens = new ViewerTokens(clusterSecret);
    this.clock = clock;
    this.iceServers = iceServers;
  }

  Future<Void> join(Session s, Message.Join join) {
    s.state = Session.State.JOINING;
    s.nodeKey = join.nodeKey();
    // An origin's key is checked against the record itself, not this member's cached copy: a key
    // rotated on another coordinator must stop working here at once. Origins join rarely; everyone
    // else reads the cache.
    boolean origin = Role.ORIGIN.is(join.role());
    return (origin ? streams.getFresh(join.stream()) : streams.get(join.stream()))
        .compose(
            stream -> {
              if (stream == null) {
                s.state = Session.State.CONNECTED;
                s.fail(
                    ErrorCode.UNKNOWN_STREAM,
                    "there is no stream named '" + abbreviate(join.stream()) + "'");
                return Future.succeededFuture();
              }
              return switch (wireRole(join)) {
                case ORIGIN -> joinAsOrigin(s, stream, join);
                // In a realtime stream a booster forwards media tracks (relay-node's TrackRelay),
                // in HLS signed chunks.
                case BOOSTER ->
                    streams
                        .isBoosterToken(join.key())
                        .compose(
                            ok ->
                                ok
                                    ? place(s, stream, join, Role.BOOSTER)
                                    : refuse(
                                        s,
                                        ErrorCode.BAD_CREDENTIAL,
                                        "the booster token is not valid"));
                default -> joinAsViewer(s, stream, join);
              };
            });
  }

  /** The role a join names; a word this version does not know joins as a viewer, as before. */
  private static Role wireRole(Message.Join join) {
    Role role = Role.fromWire(join.role());
    return role == null ? Role.VIEWER : role;
  }

  /**
   * A private stream admits only viewers with a valid viewer token; every refusal is {@code
   * private-stream}.
   */
  private Future<Void> joinAsViewer(Session s, StreamRecord stream, Message.Join join) {
    if (stream.privateStream()) {
      ViewerTokens.Verdict verdict = viewerTokens.check(stream, join.key(), clock.millis());
      if (verdict != ViewerTokens.Verdict.VALID) {
        return refuse(s, ErrorCode.PRIVATE_STREAM, "'" + stream.name() + "': " + verdict.message);
      }
    }
    return place(s, stream, join, Role.VIEWER);
  }

  private Future<Void> joinAsOrigin(Session s, StreamRecord stream, Message.Join join) {
    if (!Credentials.matches(join.key(), stream.publishKeyHash())) {
      return refuse(
          s, ErrorCode.BAD_CREDENTIAL, "the publish key for '" + stream.name() + "' is not valid");
    }
    if (stream.realtime() && (join.httpUrl() != null || join.publicKey() != null)) {
      return refuse(
          s,
          ErrorCode.WRONG_STREAM_TYPE,
          "'"
              + stream.name()
              + "' is a realtime stream: publish it from the"
              + " /publish/"
              + stream.name()
              + " page, not from an HLS relay");
    }
    // Without its content key no viewer could watch, and a relay-node that sends none would publish
    // in clear.
    if (stream.privateStream() && join.contentKey() == null) {
      return refuse(
          s,
          ErrorCode.PRIVATE_STREAM,
          "'"
              + stream.name()
              + "' is private: its origin must send a contentKey"
              + " (an older relay-node?)");
    }
    if (switchboard.local(stream.rootId()) != null) {
      return refuse(
          s, ErrorCode.ORIGIN_TAKEN, "an origin is already connected to '" + stream.name() + "'");
    }
    return trees
        .claimRoot(stream.name(), switchboard.self())
        .compose(
            claim -> {
              if (claim == null || !claim.granted()) {
                return refuse(
                    s,
                    ErrorCode.ORIGIN_TAKEN,
                    "an origin is already connected to '" + stream.name() + "'");
              }
              Place p = claim.place();
              if (!admitted(s, stream, stream.rootId(), Role.ORIGIN.wire(), p.capacity(), true)) {
                return Future.succeededFuture();
              }
              // The key it was admitted with, so a rotation with disconnect knows this origin holds
              // an old one.
              s.publishKeyHash = stream.publishKeyHash();
              String publicKey = join.publicKey() == null ? stream.publicKey() : join.publicKey();
              String contentKey = stream.privateStream() ? join.contentKey() : null;
              StreamRecord.Ingest ingest =
                  join.ingest() == null
                          || join.ingest().rtmp() == null && join.ingest().whip() == null
                      ? null
                      : new StreamRecord.Ingest(join.ingest().rtmp(), join.ingest().whip());
              // Read again now that the session is registered: a rotation (with disconnect) that
              // came in between either shows here, or publishes its close after this and finds the
              // session (closeRevokedOrigin).
              Future<StreamRecord> keyed =
                  java.util.Objects.equals(publicKey, stream.publicKey())
                          && java.util.Objects.equals(contentKey, stream.contentKey())
                          && java.util.Objects.equals(ingest, stream.ingest())
                      ? streams.getFresh(stream.name())
                      : streams.setOrigin(stream.name(), publicKey, contentKey, ingest);
              return keyed.compose(
                  record -> {
                    if (record == null) {
                      s.refuse(
                          ErrorCode.STREAM_DELETED,
                          "stream '" + stream.name() + "' was deleted",
                          (short) 1000);
                      return Future.succeededFuture();
                    }
                    if (!record.publishKeyHash().equals(s.publishKeyHash)) {
                      return refuse(
                          s,
                          ErrorCode.KEY_ROTATED,
                          "the publish key of '"
                              + stream.name()
                              + "' was rotated while this origin"
                              + " joined: publish again with the new key");
                    }
                    return servesHttp(s, record, join)
                        .map(
                            urls -> {
                              s.send(
                                  welcome(
                                      s,
                                      record,
                                      s.nodeId,
                                      null,
                                      0,
                                      p.capacity(),
                                      false,
                                      urls,
                                      false));
                              // Children of a restarted origin must offer again: tell each its
                              // parent is (again) the root.
                              for (int i = 0; i < p.children().size(); i++) {
                                switchboard.deliver(
                                    p.childOwners().get(i),
                                    p.children().get(i),
                                    new Message.Reparent(
                                        stream.rootId(),
                                        1,
                                        ReparentReason.ORIGIN_RECONNECTED.wire()));
                              }
                              return null;
                            });
                  });
            });
  }

  /** Adds an origin's or booster's HTTP URL to the fallback list; answers the list either way. */
  private Future<List<String>> servesHttp(Session s, StreamRecord stream, Message.Join join) {
    if (join.httpUrl() == null || Role.VIEWER.is(join.role())) {
      return fallbacks.list(stream.name());
    }
    s.httpUrl = join.httpUrl();
    return fallbacks.add(stream.name(), s.nodeId, join.httpUrl());
  }

  private Future<Void> place(Session s, StreamRecord stream, Message.Join join, Role role) {
    boolean upload = join.upload() == null || join.upload();
    // A viewer nobody has measured starts with few slots and earns more from the uplink its
    // heartbeats report; a booster is a machine its operator lent for this: all its slots from the
    // start. Realtime pages forward media tracks and measure nothing yet: they keep every slot, as
    // before.
    boolean measured = role == Role.VIEWER && !stream.realtime();
    // A node may take fewer children than the stream allows (a booster's --max-children), never
    // more.
    int maxChildren =
        join.maxChildren() == null
            ? stream.maxChildren()
            : Math.min(stream.maxChildren(), join.maxChildren());
    int undeclared = measured ? config.tree().newcomerSlots() : maxChildren;
    int capacity =
        StreamTree.slotsFor(
            maxChildren, stream.bitrateKbps(), join.uplinkKbps(), upload, undeclared);
    String id = Credentials.newNodeId();
    long started = System.nanoTime();
    int maxNodes = config.tree().maxNodesPerStream();
    return trees
        .join(
            stream.name(),
            id,
            Roles.inTree(role),
            capacity,
            clock.millis(),
            switchboard.self(),
            maxNodes)
        .compose(
            j -> {
              if (j == null) {
                s.state = Session.State.CONNECTED;
                s.fail(ErrorCode.UNKNOWN_STREAM, "stream '" + stream.name() + "' was deleted");
                return Future.succeededFuture();
              }
              if (j.parent() == null && j.shape().size() >= maxNodes) {
                s.state = Session.State.CONNECTED;
                metrics.error(ErrorCode.STREAM_FULL.wire());
                s.fail(
                    ErrorCode.STREAM_FULL,
                    "'"
                        + stream.name()
                        + "' has its most nodes ("
                        + maxNodes
                        + "): play over HTTP and join again later");
                return Future.succeededFuture();
              }
              if (j.parent() == null) {
                s.state = Session.State.CONNECTED;
                metrics.error(ErrorCode.NO_SLOT.wire());
                s.fail(
                    ErrorCode.NO_SLOT,
                    "no node of '"
                        + stream.name()
                        + "' has a free slot: play over HTTP and join again later");
                return Future.succeededFuture();
              }
              metrics.joined(System.nanoTime() - started);
              metrics.shape(stream.name(), j.shape());
              if (!admitted(s, stream, id, role.wire(), j.capacity(), false)) {
                return Future.succeededFuture();
              }
              s.maxChildren = maxChildren; // heartbeats re-size within it
              announce(j, id, role);
              return servesHttp(s, stream, join)
                  .map(
                      urls -> {
                        s.send(
                            welcome(
                                s,
                                stream,
                                id,
                                j.parent(),
                                j.depth(),
                                j.capacity(),
                                false,
                                urls,
                                role == Role.VIEWER));
                        return null;
                      });
            });
  }

  private void announce(Joined j, String id, Role role) {
    switchboard.deliver(j.parentOwner(), j.parent(), new Message.ChildJoined(id));
    // a booster displaced a viewer under the backbone, or a joiner with more slots took a weaker
    // viewer's place
    switchboard.announce(
        j.moves(),
        role == Role.BOOSTER ? ReparentReason.BOOSTER_JOINED : ReparentReason.VIEWER_JOINED);
  }

  /**
   * Takes a place back with the resume token of the node's last welcome. The token names the
   * coordinator that issued it; the place is handed over only if that coordinator still owns it
   * (else the token is spent: the place was resumed since) and does not hold the node's socket now
   * (a live node's place is not for the taking). The resume must be signed by the key the token is
   * bound to ({@link ResumeProof}): a copied token alone takes nothing.
   */
  Future<Void> resume(Session s, Message.Resume resume) {
    String id = resume.nodeId();
    long now = clock.millis();
    Credentials.ResumeClaim claim =
        Credentials.resumeClaim(
            clusterSecret,
            resume.stream(),
            id,
            resume.resumeToken(),
            s.address,
            resume.nodeKey(),
            now);
    if (claim.owner() == null) {
      return refuse(s, ErrorCode.BAD_CREDENTIAL, claim.problem());
    }
    String unproven = ResumeProof.problem(resume, claim, now);
    if (unproven != null) {
      return refuse(s, ErrorCode.BAD_CREDENTIAL, unproven);
    }
    s.nodeKey = resume.nodeKey();
    String tokenOwner = claim.owner();
    s.state = Session.State.JOINING;
    return switchboard
        .holds(tokenOwner, id)
        .compose(
            held -> {
              if (held || switchboard.local(id) != null) {
                s.state = Session.State.CONNECTED;
                // Registered here but not held: its socket is closing, or the place was resumed
                // here with a newer token.
                return held || tokenOwner.equals(switchboard.self())
                    ? refuse(
                        s,
                        ErrorCode.ALREADY_CONNECTED,
                        "this node is connected: its place cannot be resumed")
                    : refuseSpent(s);
              }
              return streams
                  .get(resume.stream())
                  .compose(stream -> resumeInto(s, stream, resume, tokenOwner));
            });
  }

  private Future<Void> resumeInto(
      Session s, StreamRecord stream, Message.Resume resume, String tokenOwner) {
    String id = resume.nodeId();
    if (stream == null) {
      s.state = Session.State.CONNECTED;
      s.fail(
          ErrorCode.UNKNOWN_STREAM,
          "there is no stream named '" + abbreviate(resume.stream()) + "'");
      return Future.succeededFuture();
    }
    return trees
        .resume(stream.name(), id, switchboard.self(), tokenOwner)
        .compose(
            r -> {
              if (r == null || r.place() == null) {
                s.state = Session.State.CONNECTED;
                if (r != null && r.spent()) {
                  return refuseSpent(s);
                }
                s.fail(
                    ErrorCode.UNKNOWN_NODE,
                    "that place is gone (it was given up after the grace period): join again");
                return Future.succeededFuture();
              }
              Place place = r.place();
              boolean root = id.equals(stream.rootId());
              if (!admitted(s, stream, id, place.role(), place.capacity(), root)) {
                return Future.succeededFuture();
              }
              if (resume.maxChildren() != null) {
                // What its join said still holds: heartbeats re-size within it, not the stream's.
                s.maxChildren = Math.min(stream.maxChildren(), resume.maxChildren());
              }
              return fallbacks
                  .list(stream.name())
                  .map(
                      urls -> {
                        // A viewer's place on a private stream was won with a valid viewer token.
                        s.send(
                            welcome(
                                s,
                                stream,
                                id,
                                place.parent(),
                                place.depth(),
                                place.capacity(),
                                true,
                                urls,
                                Role.VIEWER.is(place.role())));
                        if (root) {
                          tellResumedOriginItsKey(s, stream.name());
                        }
                        return null;
                      });
            });
  }

  /**
   * A rotation while the origin had no socket told nobody (the coordinator holding its socket tells
   * it, SignallingServer.tellOriginItsKey): the resumed origin hears the current key's hash now.
   * Read from the record itself, after the session is registered, so a rotation racing this resume
   * is either read here or published to this registered session.
   */
  private void tellResumedOriginItsKey(Session s, String name) {
    streams
        .getFresh(name)
        .onSuccess(
            record -> {
              if (record != null && s.state == Session.State.JOINED) {
                s.send(new Message.PublishKey(record.publishKeyHash()));
              }
            });
  }

  /**
   * Binds the session to its place; false (and the place given up again) if the socket closed
   * meanwhile.
   */
  private boolean admitted(
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
  private Message.Welcome welcome(
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

  private Future<Void> refuseSpent(Session s) {
    return refuse(
        s, ErrorCode.BAD_CREDENTIAL, "the resume token is spent: the place was resumed since");
  }

  private Future<Void> refuse(Session s, ErrorCode code, String message) {
    metrics.error(code.wire());
    s.refuse(code, message, POLICY_VIOLATION);
    return Future.succeededFuture();
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}

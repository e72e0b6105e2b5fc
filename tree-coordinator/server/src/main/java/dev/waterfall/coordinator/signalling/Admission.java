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
  private final Clock clock;
  private final Welcomes welcomes;
  private final Resumption resumption;
  private final ViewerTokens viewerTokens;

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
    this.fallbacks = fallbacks;
    this.config = config;
    this.streams = streams;
    this.trees = trees;
    this.switchboard = switchboard;
    this.metrics = metrics;
    this.viewerTokens = new ViewerTokens(clusterSecret);
    this.clock = clock;
    this.welcomes =
        new Welcomes(
            config, switchboard, departures, iceServers, clusterSecret, clock, coordinators);
    this.resumption =
        new Resumption(
            streams, fallbacks, trees, switchboard, metrics, clusterSecret, clock, welcomes);
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
              if (!welcomes.admitted(
                  s, stream, stream.rootId(), Role.ORIGIN.wire(), p.capacity(), true)) {
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
                                  welcomes.welcome(
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
              if (!welcomes.admitted(s, stream, id, role.wire(), j.capacity(), false)) {
                return Future.succeededFuture();
              }
              s.maxChildren = maxChildren; // heartbeats re-size within it
              announce(j, id, role);
              return servesHttp(s, stream, join)
                  .map(
                      urls -> {
                        s.send(
                            welcomes.welcome(
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

  /** See {@link Resumption#resume}. */
  Future<Void> resume(Session s, Message.Resume resume) {
    return resumption.resume(s, resume);
  }

  /** See {@link Welcomes#renewResumeToken}. */
  void renewResumeToken(Session s, long now) {
    welcomes.renewResumeToken(s, now);
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

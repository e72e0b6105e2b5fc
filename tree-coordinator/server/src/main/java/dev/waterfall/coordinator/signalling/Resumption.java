package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.cluster.Outcomes.Place;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.streams.Credentials;
import dev.waterfall.coordinator.streams.Fallbacks;
import dev.waterfall.coordinator.streams.StreamRecord;
import dev.waterfall.coordinator.streams.StreamRegistry;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.Role;
import io.vertx.core.Future;
import java.time.Clock;

/**
 * {@code resume}: a node takes its place back with the token of its last welcome, on this
 * coordinator or another. Called by {@link Admission} on the session's event loop.
 */
final class Resumption {
  private static final short POLICY_VIOLATION = 1008;
  private final StreamRegistry streams;
  private final Fallbacks fallbacks;
  private final TreeStore trees;
  private final Switchboard switchboard;
  private final CoordinatorMetrics metrics;
  private final byte[] clusterSecret;
  private final Clock clock;
  private final Welcomes welcomes;

  Resumption(
      StreamRegistry streams,
      Fallbacks fallbacks,
      TreeStore trees,
      Switchboard switchboard,
      CoordinatorMetrics metrics,
      byte[] clusterSecret,
      Clock clock,
      Welcomes welcomes) {
    this.streams = streams;
    this.fallbacks = fallbacks;
    this.trees = trees;
    this.switchboard = switchboard;
    this.metrics = metrics;
    this.clusterSecret = clusterSecret;
    this.clock = clock;
    this.welcomes = welcomes;
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
          "there is no stream named '" + Admission.abbreviate(resume.stream()) + "'");
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
              if (!welcomes.admitted(s, stream, id, place.role(), place.capacity(), root)) {
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
                            welcomes.welcome(
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
   * it, CatalogNotices.tellOriginItsKey): the resumed origin hears the current key's hash now. Read
   * from the record itself, after the session is registered, so a rotation racing this resume is
   * either read here or published to this registered session.
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

  private Future<Void> refuseSpent(Session s) {
    return refuse(
        s, ErrorCode.BAD_CREDENTIAL, "the resume token is spent: the place was resumed since");
  }

  private Future<Void> refuse(Session s, ErrorCode code, String message) {
    metrics.error(code.wire());
    s.refuse(code, message, POLICY_VIOLATION);
    return Future.succeededFuture();
  }
}

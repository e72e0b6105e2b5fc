package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.metrics.CoordinatorMetrics;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.protocol.ErrorCode;
import dev.waterfall.protocol.Message;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream catalog's news for the sockets this coordinator holds: a deleted stream closes its
 * nodes, a rotated publish key reaches its origin or closes it. Runs on the event bus consumers'
 * context.
 */
final class CatalogNotices {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogNotices.class);

  private final Switchboard switchboard;
  private final CoordinatorMetrics metrics;

  CatalogNotices(Switchboard switchboard, CoordinatorMetrics metrics) {
    this.switchboard = switchboard;
    this.metrics = metrics;
  }

  void listen(EventBus bus) {
    bus.<String>consumer(StreamCatalog.STREAM_DELETED, m -> closeStream(m.body()));
    bus.<JsonObject>consumer(
        StreamCatalog.ORIGIN_REVOKED,
        m -> closeRevokedOrigin(m.body().getString("stream"), m.body().getString("keyHash")));
    bus.<JsonObject>consumer(
        StreamCatalog.ORIGIN_KEY,
        m -> tellOriginItsKey(m.body().getString("stream"), m.body().getString("keyHash")));
  }

  private void closeStream(String stream) {
    for (Session s : switchboard.sessions()) {
      if (stream.equals(s.stream)) {
        s.state = Session.State.GONE;
        switchboard.unregister(s.nodeId, s);
        s.refuse(ErrorCode.STREAM_DELETED, "stream '" + stream + "' was deleted", (short) 1000);
      }
    }
  }

  /**
   * The stream's publish key was rotated without disconnect: its origin, if its socket is here, is
   * told the new key's hash, so its own ingest stops taking the old key now, not at its restart.
   */
  private void tellOriginItsKey(String stream, String keyHash) {
    for (Session s : switchboard.sessions()) {
      if (s.root && stream.equals(s.stream) && s.state == Session.State.JOINED) {
        s.send(new Message.PublishKey(keyHash));
      }
    }
  }

  /**
   * The stream's publish key was rotated with disconnect: its origin, if its socket is here and it
   * did not join with the new key, is closed. Its place was revoked already
   * (StreamCatalog.rotateKey), so it cannot resume.
   */
  private void closeRevokedOrigin(String stream, String keyHash) {
    for (Session s : switchboard.sessions()) {
      if (s.root
          && stream.equals(s.stream)
          && s.state == Session.State.JOINED
          && !keyHash.equals(s.publishKeyHash)) {
        LOG.info("origin of '{}' disconnected: its publish key was rotated", stream);
        s.departure = ErrorCode.KEY_ROTATED.wire();
        s.departureNoticed = System.nanoTime();
        metrics.error(ErrorCode.KEY_ROTATED.wire());
        s.refuse(
            ErrorCode.KEY_ROTATED,
            "the publish key of '"
                + stream
                + "' was rotated and this origin disconnected:"
                + " publish again with the new key",
            SignallingServer.POLICY_VIOLATION);
      }
    }
  }
}

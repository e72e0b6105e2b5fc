package dev.waterfall.relay;

import dev.waterfall.protocol.StreamType;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A booster's first question to the coordinator: the stream's signing key, or that it has none. */
final class StreamKey {
  private static final Logger LOG = LoggerFactory.getLogger(StreamKey.class);

  private StreamKey() {}

  /**
   * The booster cannot verify anything before the origin has announced its key: wait for it. Null
   * for a realtime stream, which has none.
   */
  static String await(Vertx vertx, Relay.Options o, TrustOptions trust) throws Exception {
    WebClient client =
        trust == null
            ? WebClient.create(vertx)
            : WebClient.create(vertx, new WebClientOptions().setTrustOptions(trust));
    try {
      for (int attempt = 0; ; attempt++) {
        String base = o.coordinators().get(attempt % o.coordinators().size());
        URI uri =
            URI.create(
                base.replaceFirst("^ws", "http") + "/api/streams/" + o.stream() + "/fallbacks");
        try {
          // The booster token opens a private stream's fallbacks (public ones ignore it).
          var reply =
              Relay.await(
                  client
                      .getAbs(uri.toString())
                      .putHeader("Authorization", "Bearer " + o.key())
                      .send());
          if (reply.statusCode() == 404) {
            throw new IllegalStateException(
                "the coordinator has no stream named '" + o.stream() + "'");
          }
          if (reply.statusCode() == 200
              && StreamType.REALTIME.is(reply.bodyAsJsonObject().getString("type"))) {
            return null;
          }
          String key =
              reply.statusCode() == 200 ? reply.bodyAsJsonObject().getString("publicKey") : null;
          if (key != null) {
            return key;
          }
          if (attempt % 10 == 0) {
            LOG.info(
                "waiting for the origin of '{}' to join (it brings the signing key)", o.stream());
          }
        } catch (IllegalStateException fatal) {
          throw fatal;
        } catch (Exception e) {
          if (attempt % 10 == 0) {
            LOG.info("coordinator {} not reachable yet: {}", base, e.getMessage());
          }
        }
        Thread.sleep(1000);
      }
    } finally {
      client.close();
    }
  }
}

package dev.waterfall.relay.node;

import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.Role;
import dev.waterfall.relay.RelayConfig;
import dev.waterfall.relay.store.StoreLimits;
import io.vertx.core.net.TrustOptions;
import java.util.List;

/**
 * What one relay node needs to run. {@code role} is "origin" or "booster"; {@code key} the publish
 * key or the booster token; {@code httpUrl} the base URL others reach this node's HLS at (null: it
 * serves no fallback); {@code trust} what https/wss peers (coordinators, fallback relays) are
 * checked against (null: the JVM's CAs); {@code ingest} where an origin's encoder reaches it,
 * announced in its join for the admin (null: nothing to say); {@code maxChildren} the most children
 * a booster's operator lets it take (null: as many as the stream allows).
 */
public record NodeSettings(
    List<String> coordinators,
    String stream,
    String role,
    String key,
    String httpUrl,
    StoreLimits storeLimits,
    long chunkDeadlineMs,
    long parentSilenceMs,
    long slowChildReportMs,
    TrustOptions trust,
    Message.Ingest ingest,
    Integer maxChildren) {
  public static NodeSettings booster(
      List<String> coordinators, String stream, String token, String httpUrl) {
    return withDefaults(coordinators, stream, Role.BOOSTER.wire(), token, httpUrl);
  }

  public static NodeSettings origin(
      List<String> coordinators, String stream, String publishKey, String httpUrl) {
    return withDefaults(coordinators, stream, Role.ORIGIN.wire(), publishKey, httpUrl);
  }

  /** With the defaults file's timings and store limits ({@link RelayConfig#defaults()}). */
  private static NodeSettings withDefaults(
      List<String> coordinators, String stream, String role, String key, String httpUrl) {
    return new NodeSettings(
            coordinators, stream, role, key, httpUrl, null, 0, 0, 0, null, null, null)
        .withConfig(RelayConfig.defaults());
  }

  /** The same, with these timings and store limits. */
  public NodeSettings withConfig(RelayConfig c) {
    return new NodeSettings(
        coordinators,
        stream,
        role,
        key,
        httpUrl,
        c.store(),
        c.chunkDeadlineMs(),
        c.parentSilenceMs(),
        c.slowChildReportMs(),
        trust,
        ingest,
        maxChildren);
  }

  /** The same, checking https and wss peers against {@code trust}. */
  public NodeSettings withTrust(TrustOptions trust) {
    return new NodeSettings(
        coordinators,
        stream,
        role,
        key,
        httpUrl,
        storeLimits,
        chunkDeadlineMs,
        parentSilenceMs,
        slowChildReportMs,
        trust,
        ingest,
        maxChildren);
  }

  /** The same, announcing these encoder endpoints in the origin's join. */
  public NodeSettings withIngest(Message.Ingest endpoints) {
    return new NodeSettings(
        coordinators,
        stream,
        role,
        key,
        httpUrl,
        storeLimits,
        chunkDeadlineMs,
        parentSilenceMs,
        slowChildReportMs,
        trust,
        endpoints,
        maxChildren);
  }

  /** The same, taking at most {@code most} children (null: as many as the stream allows). */
  public NodeSettings withMaxChildren(Integer most) {
    return new NodeSettings(
        coordinators,
        stream,
        role,
        key,
        httpUrl,
        storeLimits,
        chunkDeadlineMs,
        parentSilenceMs,
        slowChildReportMs,
        trust,
        ingest,
        most);
  }

  public boolean isOrigin() {
    return Role.ORIGIN.is(role);
  }
}

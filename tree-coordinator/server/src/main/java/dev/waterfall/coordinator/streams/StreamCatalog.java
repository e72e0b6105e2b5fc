package dev.waterfall.coordinator.streams;

import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.config.TreeConfig;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Clock;

/**
 * Creating and deleting a stream: its record, its tree, and telling every coordinator it is gone.
 */
public final class StreamCatalog {
  public static final String STREAM_DELETED = "waterfall.stream-deleted";

  /**
   * Published to every coordinator after a rotation with disconnect: {@code {"stream", "keyHash"}};
   * each closes its socket of that stream's origin unless the origin joined with the key of that
   * hash.
   */
  public static final String ORIGIN_REVOKED = "waterfall.origin-revoked";

  /** Cluster-wide: a stream's key was rotated without disconnect; its origin gets the new hash. */
  public static final String ORIGIN_KEY = "waterfall.origin-key";

  /** What a new stream may set; null fields take the coordinator's defaults (type: hls). */
  public record Spec(
      String name, Integer bitrateKbps, Integer maxChildren, Boolean privateStream, String type) {
    public Spec(String name, Integer bitrateKbps, Integer maxChildren, Boolean privateStream) {
      this(name, bitrateKbps, maxChildren, privateStream, null);
    }
  }

  /** A created stream and its publish key, which exists in clear only in this answer. */
  public record Created(StreamRecord record, String publishKey) {}

  /** A stream under a new publish key, which exists in clear only in this answer. */
  public record Rotated(StreamRecord record, String publishKey) {}

  private final StreamRegistry registry;
  private final TreeStore trees;
  private final Fallbacks fallbacks;
  private final TreeConfig defaults;
  private final EventBus bus;
  private final Clock clock;

  public StreamCatalog(
      StreamRegistry registry,
      TreeStore trees,
      Fallbacks fallbacks,
      TreeConfig defaults,
      EventBus bus,
      Clock clock) {
    this.registry = registry;
    this.fallbacks = fallbacks;
    this.trees = trees;
    this.defaults = defaults;
    this.bus = bus;
    this.clock = clock;
  }

  public StreamRegistry registry() {
    return registry;
  }

  public Fallbacks fallbacks() {
    return fallbacks;
  }

  /**
   * Fails with IllegalArgumentException for a bad spec; succeeds with null when the name is taken.
   */
  public Future<Created> create(Spec spec) {
    if (spec.name() == null || !StreamRegistry.NAME.matcher(spec.name()).matches()) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "name must be 1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit"));
    }
    int maxChildren = spec.maxChildren() == null ? defaults.maxChildren() : spec.maxChildren();
    if (maxChildren < 1 || maxChildren > defaults.maxChildren()) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "maxChildren must be between 1 and " + defaults.maxChildren()));
    }
    int bitrate = spec.bitrateKbps() == null ? defaults.bitrateKbps() : spec.bitrateKbps();
    if (bitrate < 1 || bitrate > 1_000_000) {
      return Future.failedFuture(
          new IllegalArgumentException("bitrateKbps must be between 1 and 1000000"));
    }
    String type = spec.type() == null ? StreamRecord.HLS : spec.type();
    if (!type.equals(StreamRecord.HLS) && !type.equals(StreamRecord.REALTIME)) {
      return Future.failedFuture(
          new IllegalArgumentException("type must be \"hls\" or \"realtime\""));
    }
    boolean privateStream = Boolean.TRUE.equals(spec.privateStream());
    // Private means encrypted chunks, which only the HLS data plane carries (docs/security.md
    // "Private streams").
    if (privateStream && type.equals(StreamRecord.REALTIME)) {
      return Future.failedFuture(
          new IllegalArgumentException("a realtime stream cannot be private (yet)"));
    }
    String key = Credentials.newSecret();
    long now = clock.millis();
    StreamRecord record =
        new StreamRecord(
            spec.name(),
            Credentials.hash(key),
            Credentials.newNodeId(),
            bitrate,
            maxChildren,
            privateStream,
            now,
            null,
            type);
    return registry
        .create(record)
        .compose(
            stored -> {
              if (!stored) {
                return Future.succeededFuture(null);
              }
              return trees
                  .create(record.name(), record.rootId(), maxChildren, bitrate, now)
                  .map(v -> new Created(record, key));
            });
  }

  /**
   * Gives the stream a new publish key; null if there is no such stream. The old key admits no
   * origin from now on, on any coordinator (the record holds only the new hash). A connected origin
   * carries on unless {@code disconnect}: then its place is revoked first (so its resume tokens are
   * spent), and its socket closed wherever it is held.
   */
  public Future<Rotated> rotateKey(String name, boolean disconnect) {
    String key = Credentials.newSecret();
    String hash = Credentials.hash(key);
    return registry
        .setPublishKeyHash(name, hash)
        .compose(
            record -> {
              if (record == null) {
                return Future.succeededFuture(null);
              }
              if (!disconnect) {
                // The origin carries on; its own ingest must refuse the old key from now on too.
                bus.publish(ORIGIN_KEY, new JsonObject().put("stream", name).put("keyHash", hash));
                return Future.succeededFuture(new Rotated(record, key));
              }
              // Before the key is handed out: no origin with the new key can hold the root yet, so
              // none loses it here.
              return trees
                  .revokeRoot(name)
                  .map(
                      owned -> {
                        bus.publish(
                            ORIGIN_REVOKED,
                            new JsonObject().put("stream", name).put("keyHash", hash));
                        return new Rotated(record, key);
                      });
            });
  }

  /** True if there was such a stream. Its sockets, on every coordinator, are closed. */
  public Future<Boolean> delete(String name) {
    return registry
        .delete(name)
        .compose(
            old -> {
              if (old == null) {
                return Future.succeededFuture(false);
              }
              return trees
                  .delete(name)
                  .compose(v -> fallbacks.delete(name))
                  .map(
                      v -> {
                        bus.publish(STREAM_DELETED, name);
                        return true;
                      });
            });
  }
}

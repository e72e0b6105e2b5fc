package dev.waterfall.coordinator.streams;

import dev.waterfall.protocol.StreamType;
import java.io.Serializable;

/**
 * A stream as stored in the cluster: its settings, the hash (never the value) of its publish key,
 * and the Ed25519 public key its origin signs segments with (null until an origin has joined).
 * {@code type} is {@link #HLS} or {@link #REALTIME}. A private stream's {@code contentKey} (base64
 * AES-GCM key, from its origin's join; null until then) is held like the cluster secret, in the
 * cluster's memory, and goes out only in the {@code welcome} of viewers admitted with a viewer
 * token. {@code ingest}: where the last origin said an encoder reaches it (null: unknown), for the
 * admin.
 */
public record StreamRecord(
    String name,
    String publishKeyHash,
    String rootId,
    int bitrateKbps,
    int maxChildren,
    boolean privateStream,
    long createdAt,
    String publicKey,
    String type,
    String contentKey,
    Ingest ingest)
    implements Serializable {
  public StreamRecord(
      String name,
      String publishKeyHash,
      String rootId,
      int bitrateKbps,
      int maxChildren,
      boolean privateStream,
      long createdAt,
      String publicKey,
      String type) {
    this(
        name,
        publishKeyHash,
        rootId,
        bitrateKbps,
        maxChildren,
        privateStream,
        createdAt,
        publicKey,
        type,
        null,
        null);
  }

  /**
   * An origin's encoder endpoints, as its join announced them: an RTMP URL, a WHIP URL, either
   * null.
   */
  public record Ingest(String rtmp, String whip) implements Serializable {}

  /** Signed HLS chunks over DataChannels, published by a relay-node origin. */
  public static final String HLS = StreamType.HLS.wire();

  /**
   * Media tracks forwarded page to page, published by the /publish page (docs/architecture.md
   * "Realtime mode").
   */
  public static final String REALTIME = StreamType.REALTIME.wire();

  /**
   * What the origin announced at its join: its signing key, a private stream's content key, its
   * ingest.
   */
  public StreamRecord withOrigin(String key, String content, Ingest endpoints) {
    return new StreamRecord(
        name,
        publishKeyHash,
        rootId,
        bitrateKbps,
        maxChildren,
        privateStream,
        createdAt,
        key,
        type,
        content,
        endpoints);
  }

  /**
   * The same stream under a new publish key (its hash): the old key admits no origin from now on.
   */
  public StreamRecord withPublishKeyHash(String hash) {
    return new StreamRecord(
        name,
        hash,
        rootId,
        bitrateKbps,
        maxChildren,
        privateStream,
        createdAt,
        publicKey,
        type,
        contentKey,
        ingest);
  }

  @Override
  public String toString() {
    return "StreamRecord["
        + name
        + ", "
        + type
        + (privateStream ? ", private" : "")
        + ", root "
        + rootId
        + "]";
  }

  public boolean realtime() {
    return REALTIME.equals(type);
  }
}

package dev.waterfall.coordinator.streams;

import java.io.Serializable;

/**
 * A stream as stored in the cluster: its settings, the hash (never the value) of its publish key, and the
 * Ed25519 public key its origin signs segments with (null until an origin has joined). {@code type} is
 * {@link #HLS} or {@link #REALTIME}. A private stream's {@code contentKey} (base64 AES-GCM key, from its
 * origin's join; null until then) is held like the cluster secret, in the cluster's memory, and goes out only in
 * the {@code welcome} of viewers admitted with a viewer token.
 */
public record StreamRecord(String name, String publishKeyHash, String rootId, int bitrateKbps, int maxChildren,
                           boolean privateStream, long createdAt, String publicKey, String type, String contentKey)
    implements Serializable {
  public StreamRecord(String name, String publishKeyHash, String rootId, int bitrateKbps, int maxChildren,
                      boolean privateStream, long createdAt, String publicKey, String type) {
    this(name, publishKeyHash, rootId, bitrateKbps, maxChildren, privateStream, createdAt, publicKey, type, null);
  }

  /** Signed HLS chunks over DataChannels, published by a relay-node origin. */
  public static final String HLS = "hls";
  /** Media tracks forwarded page to page, published by the /publish page (docs/architecture.md "Realtime mode"). */
  public static final String REALTIME = "realtime";

  /** The keys the origin announced at its join: its signing key, and a private stream's content key. */
  public StreamRecord withOriginKeys(String key, String content) {
    return new StreamRecord(name, publishKeyHash, rootId, bitrateKbps, maxChildren, privateStream, createdAt, key,
        type, content);
  }

  @Override
  public String toString() {
    return "StreamRecord[" + name + ", " + type + (privateStream ? ", private" : "") + ", root " + rootId + "]";
  }

  public boolean realtime() {
    return REALTIME.equals(type);
  }
}

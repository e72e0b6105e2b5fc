package dev.waterfall.coordinator.streams;

import java.io.Serializable;

/**
 * A stream as stored in the cluster: its settings, the hash (never the value) of its publish key, and the
 * Ed25519 public key its origin signs segments with (null until an origin has joined). {@code type} is
 * {@link #HLS} or {@link #REALTIME}.
 */
public record StreamRecord(String name, String publishKeyHash, String rootId, int bitrateKbps, int maxChildren,
                           boolean privateStream, long createdAt, String publicKey, String type)
    implements Serializable {
  /** Signed HLS chunks over DataChannels, published by a relay-node origin. */
  public static final String HLS = "hls";
  /** Media tracks forwarded page to page, published by the /publish page (docs/architecture.md "Realtime mode"). */
  public static final String REALTIME = "realtime";

  public StreamRecord withPublicKey(String key) {
    return new StreamRecord(name, publishKeyHash, rootId, bitrateKbps, maxChildren, privateStream, createdAt, key,
        type);
  }

  public boolean realtime() {
    return REALTIME.equals(type);
  }
}

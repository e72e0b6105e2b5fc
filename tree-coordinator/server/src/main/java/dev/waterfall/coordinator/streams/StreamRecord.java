package dev.waterfall.coordinator.streams;

import java.io.Serializable;

/**
 * A stream as stored in the cluster: its settings, the hash (never the value) of its publish key, and the
 * Ed25519 public key its origin signs segments with (null until an origin has joined).
 */
public record StreamRecord(String name, String publishKeyHash, String rootId, int bitrateKbps, int maxChildren,
                           boolean privateStream, long createdAt, String publicKey) implements Serializable {
  public StreamRecord withPublicKey(String key) {
    return new StreamRecord(name, publishKeyHash, rootId, bitrateKbps, maxChildren, privateStream, createdAt, key);
  }
}

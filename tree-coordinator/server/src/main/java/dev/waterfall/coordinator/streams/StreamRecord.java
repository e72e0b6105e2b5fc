package dev.waterfall.coordinator.streams;

import java.io.Serializable;

/** A stream as stored in the cluster: its settings and the hash (never the value) of its publish key. */
public record StreamRecord(String name, String publishKeyHash, String rootId, int bitrateKbps, int maxChildren,
                           boolean privateStream, long createdAt) implements Serializable {
}

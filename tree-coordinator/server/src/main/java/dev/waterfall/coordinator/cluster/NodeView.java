package dev.waterfall.coordinator.cluster;

import java.io.Serializable;
import java.util.List;

/** One node as the REST tree view shows it. */
public record NodeView(String id, String role, String parent, int depth, List<String> children, int capacity,
                       long joinedAt, boolean connected) implements Serializable {}

package dev.waterfall.coordinator.cluster;

import java.io.Serializable;
import java.util.List;

/**
 * One node as the REST tree view shows it. {@code owner}: the member id of the coordinator holding
 * its socket, null when none does; it may name a coordinator that has died (the node then has its
 * resume grace period), so "connected" means an owner among the current members
 * (CoordinatorDirectory.isLive, or the dashboard's member list).
 */
public record NodeView(
    String id,
    String role,
    String parent,
    int depth,
    List<String> children,
    int capacity,
    long joinedAt,
    String owner)
    implements Serializable {}

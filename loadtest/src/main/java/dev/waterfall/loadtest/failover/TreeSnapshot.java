package dev.waterfall.loadtest.failover;

import dev.waterfall.coordinator.cluster.NodeView;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stream's tree as the coordinators' snapshot query returns it, reduced to what failover
 * compares: each entry's parent and role, and which entries no live coordinator holds a socket for
 * (as the REST tree's {@code connected}: an owner that is not among the cluster's current members
 * does not count).
 */
record TreeSnapshot(
    Map<String, String> parents, Map<String, String> roles, Set<String> disconnected) {
  static TreeSnapshot of(List<NodeView> nodes, Set<String> liveMembers) {
    Map<String, String> parents = new HashMap<>();
    Map<String, String> roles = new HashMap<>();
    Set<String> disconnected = new HashSet<>();
    for (NodeView n : nodes) {
      if (n.id() == null) {
        throw new IllegalArgumentException("a tree entry without an id: " + n);
      }
      parents.put(n.id(), n.parent());
      roles.put(n.id(), n.role());
      if (n.owner() == null || !liveMembers.contains(n.owner())) {
        disconnected.add(n.id());
      }
    }
    return new TreeSnapshot(parents, roles, disconnected);
  }

  int size() {
    return parents.size();
  }
}

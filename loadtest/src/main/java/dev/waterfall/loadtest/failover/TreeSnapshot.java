package dev.waterfall.loadtest.failover;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A stream's tree as {@code GET /api/streams/{name}/tree} returns it, reduced to what failover compares: each
 * entry's parent and role, and which entries no coordinator holds a socket for ({@code connected: false}).
 */
record TreeSnapshot(Map<String, String> parents, Map<String, String> roles, Set<String> disconnected) {
  static TreeSnapshot of(JsonNode tree) {
    Map<String, String> parents = new HashMap<>();
    Map<String, String> roles = new HashMap<>();
    Set<String> disconnected = new HashSet<>();
    for (JsonNode n : tree.path("nodes")) {
      String id = n.path("id").asText(null);
      if (id == null) {
        throw new IllegalArgumentException("a tree entry without an id: " + n);
      }
      parents.put(id, n.path("parent").isTextual() ? n.get("parent").asText() : null);
      roles.put(id, n.path("role").asText("?"));
      if (!n.path("connected").asBoolean(true)) {
        disconnected.add(id);
      }
    }
    return new TreeSnapshot(parents, roles, disconnected);
  }

  int size() {
    return parents.size();
  }
}

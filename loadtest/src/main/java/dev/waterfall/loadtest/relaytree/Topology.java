package dev.waterfall.loadtest.relaytree;

import dev.waterfall.loadtest.kit.processes.HostProcess;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tree as the relays reported it: who is who, and how deep a relay was at a moment. */
final class Topology {
  private final Map<String, HostProcess> byId = new HashMap<>();
  private final String originId;

  Topology(List<HostProcess> hosts, String originId) {
    this.originId = originId;
    for (HostProcess h : hosts) {
      if (h.log.nodeId() != null) {
        byId.put(h.log.nodeId(), h);
      }
    }
  }

  HostProcess host(String nodeId) {
    return byId.get(nodeId);
  }

  /**
   * Depth of {@code node} at a moment, following reported parents up to the origin (-1 if the chain
   * breaks).
   */
  int depthAt(String node, long atMillis) {
    int depth = 0;
    String at = node;
    while (depth <= 64) {
      if (originId.equals(at)) {
        return depth;
      }
      HostProcess h = byId.get(at);
      if (h == null) {
        return -1;
      }
      at = h.log.parentAt(atMillis);
      if (at == null) {
        return -1;
      }
      depth++;
    }
    return -1;
  }
}

package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.ProcStat;
import dev.waterfall.testkit.process.CoordinatorProcess;

/**
 * The coordinators' heap after a full GC and their RSS at one moment; two of them give the bytes
 * per node.
 */
record HeapSnapshot(long[] heapEach, long rss) {
  static HeapSnapshot take(Coordinators coordinators) throws Exception {
    return new HeapSnapshot(coordinators.heapsAfterGc(), coordinators.rss());
  }

  long heap() {
    return java.util.Arrays.stream(heapEach).sum();
  }

  /**
   * {@code figures.memory}: the heap with the origin only and with {@code nodes} more, per node,
   * per coordinator.
   */
  static void put(
      ObjectNode memory,
      HeapSnapshot base,
      HeapSnapshot withNodes,
      int nodes,
      Coordinators coordinators) {
    memory.put("heapOriginOnlyBytes", base.heap());
    memory.put("heapWithNodesBytes", withNodes.heap());
    memory.put("nodes", nodes);
    if (nodes > 0) {
      memory.put("heapBytesPerNode", (withNodes.heap() - base.heap()) / nodes);
      memory.put("rssBytesPerNode", (withNodes.rss() - base.rss()) / nodes);
    }
    memory.put("rssOriginOnlyBytes", base.rss());
    memory.put("rssWithNodesBytes", withNodes.rss());
    if (coordinators.size() > 1) {
      var each = memory.putArray("perCoordinator");
      for (int i = 0; i < coordinators.size(); i++) {
        CoordinatorProcess c = coordinators.all().get(i);
        each.addObject()
            .put("pid", c.pid())
            .put("heapOriginOnlyBytes", base.heapEach()[i])
            .put("heapWithNodesBytes", withNodes.heapEach()[i])
            .put("rssWithNodesBytes", ProcStat.rssBytes(c.pid()));
      }
    }
    memory.put(
        "method",
        (coordinators.size() > 1 ? "sums over the coordinators; " : "")
            + "jcmd <pid> GC.run twice, then the sum of jvm_memory_used_bytes{area=\"heap\"} from /metrics;"
            + " RSS from /proc/<pid>/status (includes Netty's direct buffers)");
  }
}

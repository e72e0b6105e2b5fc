package dev.waterfall.loadtest.relaytree;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.processes.HostLog;
import dev.waterfall.loadtest.kit.processes.HostProcess;
import dev.waterfall.loadtest.report.Latency;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Repair time per orphan: each child of a killed relay, from the kill to the first bytes from its
 * next parent ({@code repairMs}) and to the new parent being linked ({@code relinkMs}). Also the
 * leaf that leaf-swap moves into the killed relay's place: a relay linked elsewhere at the kill
 * whose next parent is the killed relay's parent (within {@value #LEAF_WINDOW_MS} ms), timed the
 * same way ({@code leafRepairMs}); it stops receiving from its old parent while it moves, so its
 * delay is a repair too.
 */
final class RepairFigures {
  /**
   * A move to the killed relay's parent this long after the kill is no longer taken for its
   * leaf-swap.
   */
  static final long LEAF_WINDOW_MS = 10_000;

  private RepairFigures() {}

  /**
   * Fills repairs, kills, orphans, repairMs, relinkMs, leafMoves, leafRepairMs; returns the repair
   * histogram.
   */
  static Histogram put(
      ObjectNode figures, List<HostProcess> hosts, Topology topology, List<Kill> kills) {
    Histogram repair = Latency.histogram();
    Histogram relink = Latency.histogram();
    Histogram leafRepair = Latency.histogram();
    int unrepaired = 0;
    ArrayNode repairs = figures.putArray("repairs");
    ArrayNode leaves = figures.putArray("leafMoves");
    for (Kill k : kills) {
      for (String child : k.children()) {
        HostProcess h = topology.host(child);
        long flowAt = firstFlowAfter(h, k.atMillis(), k.nodeId(), null);
        long linkAt = -1;
        for (HostLog.Change c : h.log.parents()) {
          if (c.atMillis() >= k.atMillis()
              && c.parent() != null
              && !k.nodeId().equals(c.parent())) {
            linkAt = c.atMillis();
            break;
          }
        }
        ObjectNode r = repairs.addObject();
        r.put("killed", k.nodeId());
        r.put("child", child);
        boolean childDied = h.killedAtMillis() >= 0 && (flowAt < 0 || h.killedAtMillis() < flowAt);
        if (flowAt >= 0) {
          repair.recordValue((flowAt - k.atMillis()) * 1_000_000);
          r.put("dataFlowingAfterMs", flowAt - k.atMillis());
        } else if (!childDied) {
          unrepaired++;
        }
        if (linkAt >= 0) {
          relink.recordValue((linkAt - k.atMillis()) * 1_000_000);
          r.put("newParentLinkedAfterMs", linkAt - k.atMillis());
        }
      }
      if (k.parent() != null) {
        for (HostProcess h : hosts) {
          String before = h.log.parentAt(k.atMillis());
          if (h.log.nodeId() == null
              || h.log.nodeId().equals(k.nodeId())
              || k.children().contains(h.log.nodeId())
              || before == null
              || before.equals(k.parent())) {
            // the victim, its orphans, relays not yet linked (new ones), or already under that
            // parent
            continue;
          }
          for (HostLog.Change c : h.log.parents()) {
            if (c.atMillis() >= k.atMillis()
                && c.atMillis() <= k.atMillis() + LEAF_WINDOW_MS
                && k.parent().equals(c.parent())) {
              long flowAt = firstFlowAfter(h, k.atMillis(), null, k.parent());
              ObjectNode l =
                  leaves
                      .addObject()
                      .put("killed", k.nodeId())
                      .put("leaf", h.log.nodeId())
                      .put("newParentLinkedAfterMs", c.atMillis() - k.atMillis());
              if (flowAt >= 0) {
                leafRepair.recordValue((flowAt - k.atMillis()) * 1_000_000);
                l.put("dataFlowingAfterMs", flowAt - k.atMillis());
              }
              break;
            }
          }
        }
      }
    }
    figures.put("kills", kills.size());
    figures.put("orphans", kills.stream().mapToInt(k -> k.children().size()).sum());
    figures.put("orphansNotRepairedInWindow", unrepaired);
    figures.set("repairMs", Latency.summary(repair, Latency.Unit.MILLIS));
    figures.set("relinkMs", Latency.summary(relink, Latency.Unit.MILLIS));
    ObjectNode leaf = Latency.summary(leafRepair, Latency.Unit.MILLIS);
    if (leafRepair.getTotalCount() > 0) {
      leaf.put("p95Ms", Latency.at(leafRepair, 95, Latency.Unit.MILLIS));
    }
    figures.set("leafRepairMs", leaf);
    if (repair.getTotalCount() > 0) {
      figures.put("repairP50Ms", Latency.at(repair, 50, Latency.Unit.MILLIS));
      figures.put("repairP95Ms", Latency.at(repair, 95, Latency.Unit.MILLIS));
      figures.put("repairMaxMs", Math.round(repair.getMaxValue() / 1e5) / 10.0);
    }
    return repair;
  }

  /**
   * First bytes after {@code atMillis} from a parent other than {@code notFrom} (or exactly {@code
   * from}); -1.
   */
  private static long firstFlowAfter(HostProcess h, long atMillis, String notFrom, String from) {
    for (HostLog.Change c : h.log.flows()) {
      if (c.atMillis() >= atMillis
          && (notFrom == null || !notFrom.equals(c.parent()))
          && (from == null || from.equals(c.parent()))) {
        return c.atMillis();
      }
    }
    return -1;
  }
}

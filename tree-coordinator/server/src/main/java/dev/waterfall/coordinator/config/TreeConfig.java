package dev.waterfall.coordinator.config;

import dev.waterfall.protocol.config.ConfigException;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.tree.RepairStrategies;
import dev.waterfall.tree.TrustRule;

/**
 * Defaults for new streams' trees, the repair strategy (chosen by name), the cap on a tree's size,
 * the slots a viewer gets before it has shown what its uplink carries, and the starving-report
 * rule: the window in which two children's withheld reports demote their parent, a demotion's first
 * bar, and the quiet period that earns a reported viewer a slot back.
 */
public record TreeConfig(
    int maxChildren,
    int bitrateKbps,
    String repairStrategy,
    int maxNodesPerStream,
    int newcomerSlots,
    long demoteWindowMs,
    long demoteBarMs,
    long earnSlotMs) {
  public static TreeConfig from(Settings s) {
    String strategy = s.string("tree.repairStrategy");
    if (!RepairStrategies.names().contains(strategy)) {
      throw new ConfigException(
          "tree.repairStrategy = '" + strategy + "': expected one of " + RepairStrategies.names());
    }
    return new TreeConfig(
        s.integer("tree.maxChildren", 1, 16),
        s.integer("tree.bitrateKbps", 1, 1_000_000),
        strategy,
        s.integer("tree.maxNodesPerStream", 2, 10_000_000),
        s.integer("tree.newcomerSlots", 0, 16),
        s.integer("tree.demoteWindowMs", 0, 3_600_000),
        s.integer("tree.demoteBarMs", 0, 86_400_000),
        s.integer("tree.earnSlotMs", 1000, 3_600_000));
  }

  /** The model's rule with these numbers; a window of 0 demotes nobody. */
  public TrustRule trust() {
    return new TrustRule(
        demoteWindowMs == 0 ? -1 : demoteWindowMs,
        TrustRule.DEFAULT.withheldShare(),
        demoteBarMs,
        earnSlotMs);
  }
}

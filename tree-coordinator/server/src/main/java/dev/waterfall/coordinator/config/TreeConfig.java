package dev.waterfall.coordinator.config;

import dev.waterfall.tree.RepairStrategies;

/**
 * Defaults for new streams' trees, the repair strategy (chosen by name), the cap on a tree's size,
 * the slots a viewer gets before it has shown what its uplink carries, and the window in which two
 * children's starving reports demote their parent.
 */
public record TreeConfig(
    int maxChildren,
    int bitrateKbps,
    String repairStrategy,
    int maxNodesPerStream,
    int newcomerSlots,
    long demoteWindowMs) {
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
        s.integer("tree.demoteWindowMs", 0, 3_600_000));
  }
}

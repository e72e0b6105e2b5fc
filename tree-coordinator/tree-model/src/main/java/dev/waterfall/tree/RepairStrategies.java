package dev.waterfall.tree;

import java.util.List;

/** The repair strategies by configuration name. */
public final class RepairStrategies {
  private static final List<RepairStrategy> ALL =
      List.of(LeafSwap.INSTANCE, PromoteChild.INSTANCE, ReattachSubtrees.INSTANCE);

  private RepairStrategies() {}

  /**
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static RepairStrategy byName(String name) {
    for (RepairStrategy strategy : ALL) {
      if (strategy.name().equals(name)) {
        return strategy;
      }
    }
    throw new IllegalArgumentException("unknown repair strategy '" + name + "'; known: " + names());
  }

  /**
   * leaf-swap: fewest depth changes and new connections in our churn comparison
   * (docs/architecture.md, "Repair").
   */
  public static RepairStrategy defaultStrategy() {
    return LeafSwap.INSTANCE;
  }

  public static List<String> names() {
    return ALL.stream().map(RepairStrategy::name).toList();
  }
}

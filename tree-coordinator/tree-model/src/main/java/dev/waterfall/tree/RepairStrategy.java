package dev.waterfall.tree;

/**
 * How a departed node's children are re-attached. Sealed: the hook works on the tree's internals,
 * so the implementations live in this package; pick one with {@link RepairStrategies#byName}.
 */
public sealed interface RepairStrategy permits LeafSwap, PromoteChild, ReattachSubtrees {

  /** The name used in configuration. */
  String name();

  /**
   * Package-internal hook (its parameter types are not public): removes {@code departed}, which has
   * at least one child, and re-attaches all of its children so the tree is valid again.
   */
  void repair(TreeStructure tree, Node departed, MoveLog log);
}

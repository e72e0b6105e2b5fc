package dev.waterfall.coordinator.cluster;

import dev.waterfall.protocol.Role;

/**
 * The one place where a node's role crosses between the wire ({@link Role}: the words of
 * docs/protocol.md, known to relays and pages) and the tree model ({@link dev.waterfall.tree.Role}:
 * its declaration order is the placement preference, and the cluster stores its ordinal). Two
 * enums, because the model stays pure (no protocol dependency) and the protocol module, which every
 * relay carries, does not pull in the tree model for three constants; RolesTest keeps them the same
 * three.
 */
public final class Roles {
  private Roles() {}

  /** The model's role for a wire role. */
  public static dev.waterfall.tree.Role inTree(Role role) {
    return dev.waterfall.tree.Role.valueOf(role.name());
  }

  /** The wire role for the model's. */
  public static Role onWire(dev.waterfall.tree.Role role) {
    return Role.valueOf(role.name());
  }
}

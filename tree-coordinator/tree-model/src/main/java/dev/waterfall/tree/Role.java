package dev.waterfall.tree;

/**
 * What a node is in a stream's tree. The declaration order is the placement preference for parents:
 * the origin first, then boosters (relays with real uplinks), then viewers.
 */
public enum Role {
  ORIGIN,
  BOOSTER,
  VIEWER
}

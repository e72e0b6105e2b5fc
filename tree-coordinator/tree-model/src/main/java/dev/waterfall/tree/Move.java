package dev.waterfall.tree;

/**
 * One new tree edge: {@code nodeId} now hangs under {@code newParent} at {@code newDepth}, and must
 * open a connection to it (and drop the one to {@code oldParent}).
 *
 * <p>Mutations report net changes: a node moved twice within one call appears once, with its final
 * parent. An eviction ({@code newParent == null}, {@code newDepth == -1}) means the tree had no
 * free slot left for the node: it has been taken out of the tree and must join again (it falls back
 * to HTTP meanwhile). An evicted node is no longer in the tree, so its move carries the {@code
 * evictedOwner} (the coordinator holding its socket), without which nobody could tell it.
 */
public record Move(
    String nodeId, String oldParent, String newParent, int newDepth, String evictedOwner) {

  public Move(String nodeId, String oldParent, String newParent, int newDepth) {
    this(nodeId, oldParent, newParent, newDepth, null);
  }

  static Move eviction(String nodeId, String oldParent, String owner) {
    return new Move(nodeId, oldParent, null, -1, owner);
  }

  public boolean isEviction() {
    return newParent == null;
  }
}

package dev.waterfall.tree;

/**
 * A node asking to join a stream's tree.
 *
 * @param id unique within the stream
 * @param role BOOSTER or VIEWER; the origin is the tree's root and never joins
 * @param capacity how many children it may feed, see {@link StreamTree#slotsFor}
 * @param joinedAt caller-supplied time (the model never reads a clock, so replicas replay
 *     identically)
 * @param owner opaque id of the coordinator process holding the node's socket, or null
 */
public record NodeSpec(String id, Role role, int capacity, long joinedAt, String owner) {

  public NodeSpec {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (role == null || role == Role.ORIGIN) {
      throw new IllegalArgumentException(
          "role must be BOOSTER or VIEWER (the origin is the root), got " + role);
    }
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
    }
  }

  public static NodeSpec viewer(String id, int capacity, long joinedAt) {
    return new NodeSpec(id, Role.VIEWER, capacity, joinedAt, null);
  }

  public static NodeSpec booster(String id, int capacity, long joinedAt) {
    return new NodeSpec(id, Role.BOOSTER, capacity, joinedAt, null);
  }

  public NodeSpec withOwner(String newOwner) {
    return new NodeSpec(id, role, capacity, joinedAt, newOwner);
  }
}

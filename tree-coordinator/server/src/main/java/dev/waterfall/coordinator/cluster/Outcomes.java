package dev.waterfall.coordinator.cluster;

import java.io.Serializable;
import java.util.List;

/**
 * What the tree's entry processors return: plain serialisable facts, so nothing of the tree leaks
 * out.
 */
public final class Outcomes {
  private Outcomes() {}

  /** Size and depth after a mutation, for metrics. */
  public record Shape(int size, int maxDepth) implements Serializable {}

  public record Joined(
      String parent, String parentOwner, int depth, int capacity, List<Edge> moves, Shape shape)
      implements Serializable {}

  /** {@code parent} is the departed node's former parent, which must hear {@code child-left}. */
  public record Removed(String parent, String parentOwner, List<Edge> moves, Shape shape)
      implements Serializable {}

  /** The place a node holds; {@code parent} null for the root. */
  public record Place(
      String role,
      String parent,
      int depth,
      int capacity,
      List<String> children,
      List<String> childOwners)
      implements Serializable {}

  /**
   * A resume's outcome: the place, or null because it is gone or because the token was spent
   * (resumed since).
   */
  public record Resumed(Place place, boolean spent) implements Serializable {
    public static final Resumed GONE = new Resumed(null, false);
    public static final Resumed SPENT = new Resumed(null, true);
  }

  /** Why a claim of the root was refused, or null fields when it was granted. */
  public record RootClaim(boolean granted, Place place) implements Serializable {}

  public record Moved(List<Edge> moves, Shape shape) implements Serializable {}

  /**
   * A re-sizing's outcome: the moves, and when a quiet period could next give the node a slot back
   * ({@code Long.MAX_VALUE}: it has its slots, nothing to earn).
   */
  public record Resized(Moved moved, long nextEarnAt) implements Serializable {}

  /**
   * A starving report's outcome: the moves, and whether the reported parent was demoted to a leaf
   * for it.
   */
  public record Reported(Moved moved, boolean demoted) implements Serializable {}

  /** {@code releasedRoot}: the root's id if the dead coordinator held the origin, else null. */
  public record SweepResult(
      List<String> removed, List<Edge> moves, String releasedRoot, Shape shape)
      implements Serializable {}
}

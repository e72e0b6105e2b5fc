package dev.waterfall.tree;

/**
 * What a node's children have said about it ({@link TrustRule}): the slots it asks for, the most
 * its reports leave it, and its demotions. Changed only by {@link StreamTree}; a node's capacity is
 * always {@link #slots()}.
 */
final class Standing {
  /** No ceiling: more than any tree's maxChildren. */
  static final int NO_CEILING = StreamTree.MAX_CHILDREN_LIMIT;

  static final long NEVER = Long.MIN_VALUE;

  /** Slots the node asks for (its uplink's, or a newcomer's). */
  int requested;

  /** The most slots its children's reports leave it; one more per quiet period. */
  int ceiling = NO_CEILING;

  /** A leaf until {@link #barredUntil}, whatever it asks for. */
  boolean demoted;

  long barredUntil;
  int demotions;

  /** When its quiet period began (its last report, credit or bar's end). */
  long quietSince = NEVER;

  /** Reports against it since it last earned a slot while feeding a child (doubles the wait). */
  int backoff;

  /** The last child whose report said "withheld", and when: a second, different one demotes. */
  String strikeBy;

  long strikeAt;

  /** When it last reported its own parent starving it: until a window later it is not fed. */
  long starvedAt = NEVER;

  Standing(int requested) {
    this.requested = requested;
  }

  int slots() {
    return demoted ? 0 : Math.min(requested, ceiling);
  }

  boolean fed(long now, long windowMs) {
    return starvedAt == NEVER || now - starvedAt > windowMs;
  }
}

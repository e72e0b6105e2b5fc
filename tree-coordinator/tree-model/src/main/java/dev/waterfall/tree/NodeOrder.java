package dev.waterfall.tree;

import java.util.Comparator;

/**
 * The deterministic orders the rules use. Each ends on the unique sequence number, so they are
 * total orders (a TreeSet would silently drop a node that compares equal to another).
 */
final class NodeOrder {

  /**
   * Best parent first: origin, booster, viewer; then more capacity; then longer-lived; then older
   * insertion.
   */
  static final Comparator<Node> PARENT_PREFERENCE =
      (a, b) -> {
        int c = Integer.compare(a.role.ordinal(), b.role.ordinal());
        if (c != 0) {
          return c;
        }
        c = Integer.compare(b.capacity, a.capacity);
        if (c != 0) {
          return c;
        }
        c = Long.compare(a.joinedAt, b.joinedAt);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
      };

  /** Youngest first: the node whose move disturbs the least-established viewer. */
  static final Comparator<Node> YOUNGEST_FIRST =
      (a, b) -> {
        int c = Long.compare(b.joinedAt, a.joinedAt);
        return c != 0 ? c : Long.compare(b.seq, a.seq);
      };

  /**
   * Which viewer a booster displaces: smallest subtree (fewest nodes pushed deeper), least
   * capacity, youngest.
   */
  static final Comparator<Node> DISPLACEMENT =
      (a, b) -> {
        int c = Integer.compare(a.height, b.height);
        if (c != 0) {
          return c;
        }
        c = Integer.compare(a.capacity, b.capacity);
        return c != 0 ? c : YOUNGEST_FIRST.compare(a, b);
      };

  private NodeOrder() {}
}

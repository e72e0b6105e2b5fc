package dev.waterfall.loadtest.soak;

/**
 * The booster the children should land under: its node id follows the process (a recycled booster
 * is replaced by a fresh one with a new id), and while one process drains or the next is not yet
 * fed the booster is between processes, when a child that is refused, evicted or placed elsewhere
 * is the recycle's doing, not a failure.
 */
final class CurrentBooster {
  private volatile String id;
  private volatile boolean recycling;

  CurrentBooster(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  boolean recycling() {
    return recycling;
  }

  /**
   * The process began to drain (or has exited): children are moved off it and no join lands on it.
   */
  void recycling(boolean on) {
    recycling = on;
  }

  /**
   * The fresh process joined: children placed under this id from now on are the booster's edges.
   */
  void replacedBy(String newId) {
    id = newId;
  }
}

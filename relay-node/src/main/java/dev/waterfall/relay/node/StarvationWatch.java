package dev.waterfall.relay.node;

import java.util.ArrayDeque;

/**
 * Whether an open link's parent starves this node: over the last {@link #WINDOW_MS}, the parent
 * supplied less than {@link #MIN_SHARE} of the stream bytes the store took in, the rest healed over
 * HTTP. A parent that withholds data, or whose uplink or link cannot carry the stream, looks the
 * same from here and calls for the same answer: be moved (a {@code starving} report with the share;
 * the coordinator tells the two apart by it). Silence alone is not the test: a parent may send
 * duplicates or padding and stay busy. Only bytes the store accepted from it count. The same rule
 * as the web player's {@code p2p/starvation.js}.
 */
final class StarvationWatch {
  /** How long a link is judged over, and so the soonest a report follows the link's opening. */
  static final long WINDOW_MS = 10_000;

  /** The parent's least share of what came in, below which it starves us. */
  static final double MIN_SHARE = 0.5;

  /**
   * (at, fromParent, healed) since the link opened, the oldest at least a window old once one has
   * passed.
   */
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();

  private boolean open;

  /** A link to a parent opened: judge it from now on, by its own deliveries only. */
  void linkOpened() {
    samples.clear();
    open = true;
  }

  /** No open link: nothing to judge (the missing-link report covers it). */
  void linkClosed() {
    samples.clear();
    open = false;
  }

  /**
   * One tick's running totals: bytes the store accepted from the parent, and bytes healed over
   * HTTP. Returns the parent's share of the last window when it is below {@link #MIN_SHARE} (report
   * it), else -1. After a report the next one needs a whole new window.
   */
  double check(long now, long fromParent, long healed) {
    if (!open) {
      return -1;
    }
    samples.addLast(new long[] {now, fromParent, healed});
    while (samples.size() > 2 && now - secondOldest()[0] >= WINDOW_MS) {
      samples.removeFirst();
    }
    long[] first = samples.peekFirst();
    if (now - first[0] < WINDOW_MS) {
      return -1;
    }
    long parent = fromParent - first[1];
    long http = healed - first[2];
    if (http <= 0 || parent >= MIN_SHARE * (parent + http)) {
      return -1;
    }
    samples.clear();
    samples.addLast(new long[] {now, fromParent, healed});
    return parent / (double) (parent + http);
  }

  private long[] secondOldest() {
    var it = samples.iterator();
    it.next();
    return it.next();
  }
}

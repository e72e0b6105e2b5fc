package dev.waterfall.relay.node;

import java.util.ArrayDeque;

/**
 * Whether an open link's parent starves this node: over the last {@link #WINDOW_MS}, the parent
 * supplied less than {@link #MIN_SHARE} of the stream bytes the store took in, the rest healed over
 * HTTP. A parent that withholds data, or whose uplink or link cannot carry the stream, looks the
 * same from here and calls for the same answer: be moved (a {@code starving} report with the share;
 * the coordinator tells the two apart by it). Only bytes the store accepted from it count: a parent
 * may send duplicates or padding and stay busy. A parent that had been delivering and then supplied
 * nothing at all for {@link #SILENCE_MS} while the stream kept coming over HTTP is gone (its home
 * offline: no close reaches us) and is reported without waiting for the window to tip, which took
 * ~5 s (field lab {@code --cut-at}). The same rule as the web player's {@code p2p/starvation.js}.
 */
final class StarvationWatch {
  /** How long a link is judged over, and so the soonest a report follows the link's opening. */
  static final long WINDOW_MS = 10_000;

  /** The parent's least share of what came in, below which it starves us. */
  static final double MIN_SHARE = 0.5;

  /** How long a parent that was delivering may send nothing while HTTP brings the stream. */
  static final long SILENCE_MS = 3_000;

  /** A report to make: the parent's share of the window it was judged over, and why. */
  record Verdict(double share, String detail) {}

  /**
   * (at, fromParent, healed) since the link opened, the oldest at least a window old once one has
   * passed.
   */
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();

  private boolean open;

  /**
   * Whether the open link's parent delivered anything yet: silence means stopping, not never
   * starting.
   */
  private boolean delivered;

  /** A link to a parent opened: judge it from now on, by its own deliveries only. */
  void linkOpened() {
    samples.clear();
    open = true;
    delivered = false;
  }

  /** No open link: nothing to judge (the missing-link report covers it). */
  void linkClosed() {
    samples.clear();
    open = false;
  }

  /**
   * One tick's running totals: bytes the store accepted from the parent, and bytes healed over
   * HTTP. Returns the report to make, or null. After a report the next one needs new deliveries
   * (silence) or a whole new window.
   */
  Verdict check(long now, long fromParent, long healed) {
    if (!open) {
      return null;
    }
    if (!samples.isEmpty() && fromParent > samples.peekFirst()[1]) {
      delivered = true;
    }
    samples.addLast(new long[] {now, fromParent, healed});
    while (samples.size() > 2 && now - secondOldest()[0] >= WINDOW_MS) {
      samples.removeFirst();
    }
    long[] first = samples.peekFirst();
    long parent = fromParent - first[1];
    long http = healed - first[2];
    double share = parent + http > 0 ? parent / (double) (parent + http) : 0;
    if (delivered && silent(now, fromParent, healed)) {
      restart(now, fromParent, healed);
      delivered = false;
      return new Verdict(
          share,
          "the parent supplied nothing for "
              + SILENCE_MS / 1000
              + " s while the stream came over HTTP");
    }
    if (now - first[0] < WINDOW_MS || http <= 0 || parent >= MIN_SHARE * (parent + http)) {
      return null;
    }
    restart(now, fromParent, healed);
    return new Verdict(
        share,
        String.format(
            "the parent supplied %.0f%% of the last %d s; the rest came over HTTP",
            share * 100, WINDOW_MS / 1000));
  }

  /**
   * Nothing from the parent over at least the last {@link #SILENCE_MS}, and something over HTTP.
   */
  private boolean silent(long now, long fromParent, long healed) {
    var it = samples.descendingIterator();
    while (it.hasNext()) {
      long[] s = it.next();
      if (now - s[0] >= SILENCE_MS) {
        return s[1] == fromParent && healed > s[2];
      }
    }
    return false;
  }

  private void restart(long now, long fromParent, long healed) {
    samples.clear();
    samples.addLast(new long[] {now, fromParent, healed});
  }

  private long[] secondOldest() {
    var it = samples.iterator();
    it.next();
    return it.next();
  }
}

package dev.waterfall.tree;

/**
 * The numbers of the starving-report rule ({@link StreamTree#reportStarving}, {@link
 * StreamTree#setCapacity(String, int, long, TrustRule)}); docs/architecture.md, "Starving reports,
 * slots and demotion", states the rule and why these defaults.
 *
 * @param windowMs a second child's withheld report within this of the first demotes the parent; a
 *     parent that reported its own parent within this is not fed, so its children's reports are
 *     never strikes. Negative: nobody is ever demoted (every report is a weak one).
 * @param withheldShare below this share of the stream a report says "withheld", not "weak"
 * @param barMs a demotion's first bar (leaf, no slots); each later demotion doubles it
 * @param earnMs a reported node earns one slot back per quiet period this long (no report against
 *     it), doubled for each report since it last earned one while feeding a child
 */
public record TrustRule(long windowMs, double withheldShare, long barMs, long earnMs)
    implements java.io.Serializable {
  /**
   * Field lab (2026-12-07): honest parents on lossy 1–20 Mbit/s links were reported at 20–50 %, a
   * withholder delivers ~0 %; 10 % sits well under the one and over the other.
   */
  public static final TrustRule DEFAULT = new TrustRule(120_000, 0.1, 600_000, 30_000);

  /** Bars and quiet periods double at most this many times (×64): bounded, and no overflow. */
  static final int MAX_DOUBLINGS = 6;

  public TrustRule {
    if (!(withheldShare >= 0 && withheldShare <= 1)) {
      throw new IllegalArgumentException("withheldShare must be 0..1, got " + withheldShare);
    }
    if (barMs < 0 || earnMs <= 0 || barMs > Long.MAX_VALUE >> 8 || earnMs > Long.MAX_VALUE >> 8) {
      throw new IllegalArgumentException(
          "need barMs >= 0 and earnMs > 0, got " + barMs + ", " + earnMs);
    }
  }

  /** The rule with another demote window (the coordinator's {@code tree.demoteWindowMs}). */
  public TrustRule withWindowMs(long window) {
    return new TrustRule(window, withheldShare, barMs, earnMs);
  }

  long bar(int demotions) {
    return barMs << Math.min(demotions - 1, MAX_DOUBLINGS);
  }

  long quietPeriod(int backoff) {
    return earnMs << Math.min(backoff, MAX_DOUBLINGS);
  }
}

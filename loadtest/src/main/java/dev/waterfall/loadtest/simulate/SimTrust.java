package dev.waterfall.loadtest.simulate;

import dev.waterfall.tree.TrustRule;

/**
 * Weak lines and the starving-report rule of one simulated audience. A weak line is an honest
 * uploader whose children get only {@code weakDelivery} of the stream from it (a lossy home link:
 * the field lab measured 20–50 %) and heal the rest over HTTP; they report it with that share.
 *
 * @param weakLines share of honest uploading viewers on a weak line
 * @param weakDelivery what a weak line delivers to its children (0–1)
 * @param withheldShare the rule's line between withheld and weak ({@link TrustRule})
 * @param barSeconds a first demotion's bar; 0 with {@code withheldShare} 1 and a huge bar emulates
 *     the old rule (any two reports demote for good)
 * @param earnSeconds a reported viewer's quiet period per slot earned back
 */
public record SimTrust(
    double weakLines,
    double weakDelivery,
    double withheldShare,
    double barSeconds,
    double earnSeconds) {
  public static final SimTrust DEFAULT =
      new SimTrust(
          0,
          0.35,
          TrustRule.DEFAULT.withheldShare(),
          TrustRule.DEFAULT.barMs() / 1000.0,
          TrustRule.DEFAULT.earnMs() / 1000.0);

  public SimTrust {
    if (!(weakLines >= 0 && weakLines <= 1)
        || !(weakDelivery >= 0 && weakDelivery <= 1)
        || !(barSeconds >= 0)
        || !(earnSeconds > 0)) {
      throw new IllegalArgumentException(
          "need weak lines and weak delivery in [0,1], bar >= 0 s, earn > 0 s");
    }
    new TrustRule(0, withheldShare, 0, 1); // checks the share
  }

  /** The model's rule; a demote window of −1 demotes nobody. */
  TrustRule rule(long demoteWindowMs) {
    return new TrustRule(
        demoteWindowMs,
        withheldShare,
        Math.min(Math.round(barSeconds * 1000), Long.MAX_VALUE >> 8),
        Math.round(earnSeconds * 1000));
  }
}

package dev.waterfall.relay.llhls;

/**
 * The LL-HLS timing of a stream: the part target (EXT-X-PART-INF:PART-TARGET, at least every part's
 * duration) and the segment target in whole seconds (EXT-X-TARGETDURATION). Everything else follows
 * from these two: hold-backs, how long a blocked request may wait, how far ahead a request may ask.
 */
public record LlSettings(double partTarget, int targetDuration) {

  /** ~1/3 s parts (10 frames at 30 fps) in 2 s segments: what the sample is cut into. */
  public static final LlSettings DEFAULT = new LlSettings(0.334, 2);

  public LlSettings {
    if (!(partTarget > 0) || targetDuration < 1 || partTarget > targetDuration) {
      throw new IllegalArgumentException(
          "need 0 < part target (" + partTarget + ") <= target duration (" + targetDuration + ")");
    }
  }

  /**
   * PART-HOLD-BACK: the spec asks at least 2× the part target and recommends 3×; 3× keeps a stall
   * away.
   */
  public double partHoldBack() {
    return 3 * partTarget;
  }

  /** HOLD-BACK: at least 3× the target duration (what a player without LL support keeps behind). */
  public double holdBack() {
    return 3.0 * targetDuration;
  }

  /**
   * How long a blocking request is held before 503: the spec's "three times the Target Duration".
   */
  public long blockLimitMillis() {
    return 3000L * targetDuration;
  }

  /**
   * The Advance Part Limit of RFC 8216bis (6.2.5.2): how many parts past the last one a request may
   * ask for before it is refused as too far ahead: 3 / part target below one second, else 3.
   */
  public int advancePartLimit() {
    return partTarget < 1 ? (int) Math.ceil(3 / partTarget) : 3;
  }
}

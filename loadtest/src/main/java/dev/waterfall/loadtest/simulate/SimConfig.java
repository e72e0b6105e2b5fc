package dev.waterfall.loadtest.simulate;

import java.util.Objects;

/**
 * One simulated audience.
 *
 * @param viewers arrivals in the ramp, and the steady-state audience afterwards (Little's law: the
 *     steady arrival rate is viewers ÷ mean session)
 * @param rampSeconds the first {@code viewers} arrive as a Poisson process over about this long (a
 *     flash crowd)
 * @param steadySeconds then arrivals and departures go on at the steady rate this long
 * @param boosters relays joined before any viewer, never leaving (0 = viewers only)
 * @param catching the withholders among the viewers and how they are caught
 */
public record SimConfig(
    int viewers,
    double rampSeconds,
    double steadySeconds,
    double meanSessionSeconds,
    Sessions sessions,
    UplinkMix uplinks,
    int boosters,
    int maxChildren,
    int bitrateKbps,
    String repairStrategy,
    long seed,
    Catching catching) {

  /**
   * No measurement: a viewer's slots come from its uplink at once (declared, or maxChildren if
   * undeclared).
   */
  public static final int UPLINK_AT_JOIN = -1;

  public static final double MEASURE_SECONDS = 10;
  public static final double REPORT_SECONDS = 10;
  public static final double DEMOTE_WINDOW_SECONDS = 120;

  /**
   * The withholders and how they are caught.
   *
   * @param withholders share of arriving viewers who take children and forward them nothing
   * @param newcomerSlots slots of a viewer until its uplink is measured ({@code
   *     tree.newcomerSlots}), or {@link #UPLINK_AT_JOIN}: it joins with its uplink's slots, nothing
   *     is measured later
   * @param measureSeconds from a viewer's first child until its uplink is measured and its slots
   *     set from it (a withholder then claims maxChildren: the uplink is self-reported)
   * @param reportSeconds a child starved by its parent this long reports it {@code starving}
   * @param demoteWindowSeconds a second child's report within this long of the first demotes the
   *     parent; 0 = never
   */
  public record Catching(
      double withholders,
      int newcomerSlots,
      double measureSeconds,
      double reportSeconds,
      double demoteWindowSeconds,
      SimTrust trust) {
    /** No withholders; viewers join with their uplink's slots (the model before issue 17). */
    public static final Catching NONE =
        new Catching(
            0,
            UPLINK_AT_JOIN,
            MEASURE_SECONDS,
            REPORT_SECONDS,
            DEMOTE_WINDOW_SECONDS,
            SimTrust.DEFAULT);

    public Catching {
      Objects.requireNonNull(trust, "trust");
      if (!(withholders >= 0 && withholders <= 1)
          || newcomerSlots < UPLINK_AT_JOIN
          || !(measureSeconds >= 0)
          || !(reportSeconds > 0)
          || !(demoteWindowSeconds >= 0)) {
        throw new IllegalArgumentException(
            "need withholders in [0,1], newcomer slots >= 0, measure >= 0 s, "
                + "report > 0 s, demote window >= 0 s");
      }
    }

    /** True when viewers start with {@link #newcomerSlots} and are measured later. */
    public boolean measures() {
      return newcomerSlots != UPLINK_AT_JOIN;
    }
  }

  public SimConfig {
    Objects.requireNonNull(catching, "catching");
    if (viewers < 1
        || rampSeconds <= 0
        || steadySeconds < 0
        || meanSessionSeconds <= 0
        || boosters < 0) {
      throw new IllegalArgumentException(
          "need viewers >= 1, ramp > 0 s, steady >= 0 s, mean session > 0 s, boosters >= 0");
    }
  }

  /** An audience without withholders ({@link Catching#NONE}). */
  public SimConfig(
      int viewers,
      double rampSeconds,
      double steadySeconds,
      double meanSessionSeconds,
      Sessions sessions,
      UplinkMix uplinks,
      int boosters,
      int maxChildren,
      int bitrateKbps,
      String repairStrategy,
      long seed) {
    this(
        viewers,
        rampSeconds,
        steadySeconds,
        meanSessionSeconds,
        sessions,
        uplinks,
        boosters,
        maxChildren,
        bitrateKbps,
        repairStrategy,
        seed,
        Catching.NONE);
  }

  public SimConfig withCatching(Catching c) {
    return new SimConfig(
        viewers,
        rampSeconds,
        steadySeconds,
        meanSessionSeconds,
        sessions,
        uplinks,
        boosters,
        maxChildren,
        bitrateKbps,
        repairStrategy,
        seed,
        c);
  }

  public SimConfig withViewers(int n) {
    return new SimConfig(
        n,
        rampSeconds,
        steadySeconds,
        meanSessionSeconds,
        sessions,
        uplinks,
        boosters,
        maxChildren,
        bitrateKbps,
        repairStrategy,
        seed,
        catching);
  }

  /** The same audience with withholders and how they are caught, trust as it was. */
  public SimConfig withWithholding(
      double share, int slots, double measure, double report, double demoteWindow) {
    return withCatching(
        new Catching(share, slots, measure, report, demoteWindow, catching.trust()));
  }

  public SimConfig withTrust(SimTrust t) {
    Catching c = catching;
    return withCatching(
        new Catching(
            c.withholders(),
            c.newcomerSlots(),
            c.measureSeconds(),
            c.reportSeconds(),
            c.demoteWindowSeconds(),
            t));
  }
}

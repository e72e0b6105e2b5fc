package dev.waterfall.loadtest.simulate;

/**
 * One simulated audience.
 *
 * @param viewers        arrivals in the ramp, and the steady-state audience afterwards (Little's law: the steady
 *                       arrival rate is viewers ÷ mean session)
 * @param rampSeconds    the first {@code viewers} arrive as a Poisson process over about this long (a flash crowd)
 * @param steadySeconds  then arrivals and departures go on at the steady rate this long
 * @param boosters       relays joined before any viewer, never leaving (0 = viewers only)
 */
public record SimConfig(int viewers, double rampSeconds, double steadySeconds, double meanSessionSeconds,
                        Sessions sessions, UplinkMix uplinks, int boosters, int maxChildren, int bitrateKbps,
                        String repairStrategy, long seed) {

  public SimConfig {
    if (viewers < 1 || rampSeconds <= 0 || steadySeconds < 0 || meanSessionSeconds <= 0 || boosters < 0) {
      throw new IllegalArgumentException("need viewers >= 1, ramp > 0 s, steady >= 0 s, mean session > 0 s, boosters >= 0");
    }
  }

  public SimConfig withViewers(int n) {
    return new SimConfig(n, rampSeconds, steadySeconds, meanSessionSeconds, sessions, uplinks, boosters, maxChildren,
        bitrateKbps, repairStrategy, seed);
  }
}

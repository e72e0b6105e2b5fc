package dev.waterfall.loadtest.field;

import java.util.List;

/**
 * A named network for the field lab: the homes viewers and boosters sit in, each behind its own
 * router. Rates in kbit/s, one-way delay and jitter in ms (each direction through a home's router
 * gets it once), loss in percent per direction. The server side is a data-centre link: no cap, no
 * delay, no loss.
 */
public record Profile(
    String name, String source, List<Home> viewers, Home booster, Home originHome) {

  /**
   * How a home's router maps its hosts' UDP flows: cone (hole punching works) or symmetric (needs
   * TURN).
   */
  public enum Nat {
    CONE,
    SYMMETRIC
  }

  public record Home(
      int upKbps, int downKbps, int delayMs, int jitterMs, double lossPercent, Nat nat) {
    String describe() {
      return upKbps / 1000.0
          + "/"
          + downKbps / 1000.0
          + " Mbit/s up/down, "
          + delayMs
          + "±"
          + jitterMs
          + " ms one way, "
          + lossPercent
          + " % loss, "
          + nat.name().toLowerCase()
          + " NAT";
    }
  }

  /**
   * Residential homes: uplinks of 1–20 Mbit/s whatever the download (the FCC's Measuring Broadband
   * America reports chart DSL and cable upload tiers far below their downloads), last-mile one-way
   * delay 10–40 ms, 0.5 % random loss (the middle of those reports' peak-period loss bands, < 0.4
   * %, 0.4–1 %, > 1 %), two homes in eight behind a symmetric NAT (carrier-grade NAT, strict
   * routers). A mix chosen within those ranges, the one the project first measured;
   * docs/benchmarks.md "Field lab".
   */
  public static Profile residential() {
    Nat c = Nat.CONE;
    Nat s = Nat.SYMMETRIC;
    return new Profile(
        "residential",
        "1–20 Mbit/s up (FCC MBA / Ofcom tiers), 50 down, 10–40 ms ±5, 0.5 % loss,"
            + " 2 of 8 homes symmetric NAT",
        List.of(
            home(1_000, 25, c),
            home(1_000, 40, s),
            home(3_000, 10, c),
            home(3_000, 30, c),
            home(5_000, 20, s),
            home(10_000, 15, c),
            home(20_000, 35, c),
            home(20_000, 10, c)),
        new Home(20_000, 100_000, 20, 5, 0.5, c),
        new Home(10_000, 100_000, 15, 5, 0.5, c));
  }

  /**
   * The same lab with every link fast and clean, cone NAT everywhere: the reference the veth runs
   * gave.
   */
  public static Profile ideal() {
    Home fast = new Home(100_000, 100_000, 0, 0, 0, Nat.CONE);
    return new Profile(
        "ideal",
        "every link 100 Mbit/s, no delay, no loss, cone NAT",
        List.of(fast, fast, fast, fast, fast, fast, fast, fast),
        fast,
        fast);
  }

  public static Profile named(String name) {
    return switch (name) {
      case "residential" -> residential();
      case "ideal" -> ideal();
      default ->
          throw new IllegalArgumentException("unknown profile '" + name + "' (residential, ideal)");
    };
  }

  private static Home home(int upKbps, int delayMs, Nat nat) {
    return new Home(upKbps, 50_000, delayMs, 5, 0.5, nat);
  }
}

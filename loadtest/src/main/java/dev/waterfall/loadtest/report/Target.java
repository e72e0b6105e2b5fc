package dev.waterfall.loadtest.report;

/**
 * A figure an issue asks for. Missing one is a result, not an error: the run still exits 0 and the
 * report says {@code "met": false}.
 *
 * @param atMost true for "≤ threshold" (latencies), false for "≥ threshold" (rates)
 */
public record Target(String name, double measured, double threshold, boolean atMost, String unit) {

  public static Target atLeast(String name, double measured, double threshold, String unit) {
    return new Target(name, measured, threshold, false, unit);
  }

  public static Target atMost(String name, double measured, double threshold, String unit) {
    return new Target(name, measured, threshold, true, unit);
  }

  public boolean met() {
    return atMost ? measured <= threshold : measured >= threshold;
  }

  /**
   * One line for the console, e.g. {@code "joins/s at 100k: 75,000 (target ≥ 50,000 joins/s) MET"}.
   */
  public String describe() {
    return String.format(
        "%-44s %12s  (target %s %s %s)  %s",
        name,
        format(measured),
        atMost ? "≤" : "≥",
        format(threshold),
        unit,
        met() ? "MET" : "MISSED");
  }

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format("%,d", (long) v);
    }
    // Shares such as continuity 0.999 must not print as "1.00": small figures keep up to 4
    // decimals.
    return Math.abs(v) < 10
        ? String.format("%.4f", v).replaceAll("0+$", "")
        : String.format("%,.2f", v);
  }
}

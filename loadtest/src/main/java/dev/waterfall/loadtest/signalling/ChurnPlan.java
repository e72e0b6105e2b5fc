package dev.waterfall.loadtest.signalling;

/**
 * The churn phase's orders: {@code departures} random viewers go over {@code seconds} (a {@code
 * crashShare} only close their socket, the others send {@code leave} first) and as many join, at
 * most {@code concurrency} joins in flight.
 */
record ChurnPlan(
    String stream, long departures, int seconds, double crashShare, long seed, int concurrency) {
  /**
   * This plan's part for client process {@code i} of {@code n}: its share of departures, its own
   * seed.
   */
  ChurnPlan slice(int i, int n) {
    return new ChurnPlan(
        stream,
        departures / n + (i < departures % n ? 1 : 0),
        seconds,
        crashShare,
        seed + i,
        Math.max(1, concurrency / n));
  }
}

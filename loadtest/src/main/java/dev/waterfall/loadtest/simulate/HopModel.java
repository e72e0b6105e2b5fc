package dev.waterfall.loadtest.simulate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Time for a segment to become complete at depth d after the origin has it: the sum of d
 * independent hops. A hop is log-normal (fitted to the measured p50 and p95) plus, with a small
 * probability, one SCTP retransmission timeout. All calibration constants live here, with where
 * they were measured.
 */
public final class HopModel {
  /**
   * Source: docs/benchmarks.md, relay-hops, 1.5 Mbps (375 KB segments, 6 chunks), chain of 6 real
   * Java relays on the shared 2-core machine, 2026-11-21: depth-6 p50 57 ms ÷ 6 hops.
   */
  public static final double HOP_P50_MS = 9.5;

  /**
   * Same run: the per-hop p95s were 22, 19, 23, 22, (86), 6 ms; the outlier hop is the
   * retransmission below.
   */
  public static final double HOP_P95_MS = 22;

  /**
   * Same run: 0.8% of datagrams were dropped for full receive buffers and each drop stalled its
   * DataChannel for the ~400 ms SCTP retransmission timeout; the depth-6 p95 (448 ms) says ~5–6% of
   * segments met one in 6 hops, i.e. ~1% per hop.
   */
  public static final double RETRANSMIT_PROBABILITY = 0.01;

  public static final double RETRANSMIT_MS = 400;

  private static final double Z95 = 1.6448536269514722;

  private final double mu;
  private final double sigma;
  private final double retransmitProbability;
  private final double retransmitMs;

  public HopModel(double p50Ms, double p95Ms, double retransmitProbability, double retransmitMs) {
    if (!(p50Ms > 0
        && p95Ms >= p50Ms
        && retransmitProbability >= 0
        && retransmitProbability <= 1
        && retransmitMs >= 0)) {
      throw new IllegalArgumentException(
          "need 0 < p50 <= p95, retransmit probability in [0,1], retransmit ms >= 0");
    }
    this.mu = Math.log(p50Ms);
    this.sigma = (Math.log(p95Ms) - mu) / Z95;
    this.retransmitProbability = retransmitProbability;
    this.retransmitMs = retransmitMs;
  }

  /** The model calibrated on relay-hops (the constants above). */
  public static HopModel calibrated() {
    return new HopModel(HOP_P50_MS, HOP_P95_MS, RETRANSMIT_PROBABILITY, RETRANSMIT_MS);
  }

  public double hopMs(SplittableRandom random) {
    double ms = Math.exp(mu + sigma * gaussian(random));
    return random.nextDouble() < retransmitProbability ? ms + retransmitMs : ms;
  }

  /** p50, p95, p99 (ms) of the time to depth {@code depth}, from {@code samples} seeded draws. */
  public double[] percentilesAtDepth(int depth, int samples, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ (depth * 0x9E3779B97F4A7C15L));
    double[] sums = new double[samples];
    for (int i = 0; i < samples; i++) {
      double sum = 0;
      for (int h = 0; h < depth; h++) {
        sum += hopMs(random);
      }
      sums[i] = sum;
    }
    Arrays.sort(sums);
    return new double[] {at(sums, 0.50), at(sums, 0.95), at(sums, 0.99)};
  }

  private static double at(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }

  /** Box–Muller; SplittableRandom has no nextGaussian on Java 17. */
  static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}

package dev.waterfall.loadtest.simulate;

import java.util.SplittableRandom;

/**
 * How long a viewer stays. Exponential is the textbook (memoryless) choice; measured live-video
 * sessions are heavy-tailed (most viewers leave within minutes, a few stay for hours), which
 * log-normal with σ = 1.5 models at the same mean: its median is e^(−σ²/2) ≈ 0.32 × the mean, so
 * churn among the many short sessions is higher.
 */
public enum Sessions {
  EXPONENTIAL,
  LOGNORMAL;

  static final double LOGNORMAL_SIGMA = 1.5;

  /** One session length in seconds with the given mean. */
  public double draw(SplittableRandom random, double meanSeconds) {
    return switch (this) {
      case EXPONENTIAL -> -meanSeconds * Math.log(1 - random.nextDouble());
      case LOGNORMAL ->
          Math.exp(
              Math.log(meanSeconds)
                  - LOGNORMAL_SIGMA * LOGNORMAL_SIGMA / 2
                  + LOGNORMAL_SIGMA * HopModel.gaussian(random));
    };
  }
}

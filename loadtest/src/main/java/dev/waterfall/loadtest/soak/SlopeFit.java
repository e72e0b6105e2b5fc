package dev.waterfall.loadtest.soak;

/**
 * A least-squares line through (edges closed, value) samples, left of which the warm-up is cut: the
 * first samples carry JIT, class loading and the first segments, not what each edge costs. {@code
 * perThousand} is the growth of the value per 1,000 edges (NaN with fewer than three samples left,
 * or all at one x).
 */
public record SlopeFit(double perThousand, double intercept, int points) {

  /**
   * Fits the samples whose edge count is at least {@code warmupShare} of the largest; NaN values
   * are skipped.
   */
  public static SlopeFit after(double[] edges, double[] values, double warmupShare) {
    if (edges.length != values.length) {
      throw new IllegalArgumentException("edges and values differ in length");
    }
    double max = 0;
    for (double e : edges) {
      max = Math.max(max, e);
    }
    double from = warmupShare * max;
    int n = 0;
    double sx = 0;
    double sy = 0;
    for (int i = 0; i < edges.length; i++) {
      if (edges[i] >= from && !Double.isNaN(values[i])) {
        n++;
        sx += edges[i];
        sy += values[i];
      }
    }
    if (n < 3) {
      return new SlopeFit(Double.NaN, Double.NaN, n);
    }
    double mx = sx / n;
    double my = sy / n;
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < edges.length; i++) {
      if (edges[i] >= from && !Double.isNaN(values[i])) {
        sxx += (edges[i] - mx) * (edges[i] - mx);
        sxy += (edges[i] - mx) * (values[i] - my);
      }
    }
    if (sxx == 0) {
      return new SlopeFit(Double.NaN, Double.NaN, n);
    }
    double slope = sxy / sxx;
    return new SlopeFit(slope * 1000, my - slope * mx, n);
  }
}

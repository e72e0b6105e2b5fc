package dev.waterfall.loadtest.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * The booster host's resident memory across recycles, as an operator sees the service: each sample
 * is of whichever process was current, so RSS climbs within a process and drops at each restart (a
 * sawtooth). The host's growth per 1,000 edges is the least-squares line through all of them past
 * the warm-up ({@link SlopeFit}); each process also gets its own line, over the edges closed while
 * it was current, past the same share of them.
 */
record HostRss(SlopeFit host, double peakMb, List<Process> processes) {

  /**
   * One booster process: its samples' span in edges closed, and its RSS first, at its peak and
   * last.
   */
  record Process(
      int index,
      int samples,
      double edgesFrom,
      double edgesTo,
      double rssFirstMb,
      double rssPeakMb,
      double rssLastMb,
      SlopeFit fit) {
    double growthMb() {
      return rssLastMb - rssFirstMb;
    }
  }

  /**
   * {@code process} numbers each sample's process (0, 1, ...; samples in time order, a process's
   * samples together); NaN RSS readings are skipped.
   */
  static HostRss of(int[] process, double[] edges, double[] rssMb, double warmupShare) {
    if (process.length != edges.length || edges.length != rssMb.length) {
      throw new IllegalArgumentException("process, edges and rss differ in length");
    }
    double peak = Double.NaN;
    List<Process> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= process.length; i++) {
      if (i == process.length || process[i] != process[from]) {
        out.add(one(process[from], edges, rssMb, from, i, warmupShare));
        from = i;
      }
    }
    for (double v : rssMb) {
      peak = Double.isNaN(peak) || v > peak ? v : peak;
    }
    return new HostRss(SlopeFit.after(edges, rssMb, warmupShare), peak, List.copyOf(out));
  }

  private static Process one(
      int index, double[] edges, double[] rss, int from, int to, double warmupShare) {
    double[] x = new double[to - from];
    double[] y = new double[to - from];
    double first = Double.NaN;
    double peak = Double.NaN;
    double last = Double.NaN;
    for (int i = from; i < to; i++) {
      x[i - from] = edges[i] - edges[from]; // its own edges: the warm-up share is of what it served
      y[i - from] = rss[i];
      if (!Double.isNaN(rss[i])) {
        first = Double.isNaN(first) ? rss[i] : first;
        peak = Double.isNaN(peak) || rss[i] > peak ? rss[i] : peak;
        last = rss[i];
      }
    }
    return new Process(
        index,
        to - from,
        edges[from],
        edges[to - 1],
        first,
        peak,
        last,
        SlopeFit.after(x, y, warmupShare));
  }
}

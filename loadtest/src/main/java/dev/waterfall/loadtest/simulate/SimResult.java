package dev.waterfall.loadtest.simulate;

/**
 * What one simulated audience did to the tree.
 *
 * @param depthHistogram nodes per depth at the end (index = depth; the origin is depth 0)
 * @param maxDepth deepest any node was at any moment of the run
 * @param originCopies worst origin egress seen at the once-a-minute samples and the end: the
 *     origin's children plus viewers the tree had no slot for (they pull HTTP from the origin)
 * @param originCopiesMean origin egress in copies averaged over the whole run (ramp included),
 *     counting also honest children healing over HTTP under a withholder
 * @param originCopiesPeak the same at its worst, after any event
 * @param population viewers (and boosters) watching at the end
 * @param repairs removals of a node that had children (orphans had to be re-attached)
 * @param movesPerRepair new edges per repair: p50, p99, max
 * @param movesPerJoin existing nodes moved by a join (a joiner taking a weaker viewer's place):
 *     mean, p99, max
 * @param moves new edges of existing nodes over the run: {@code joinMoves + repairMoves +
 *     reportMoves + capacityMoves}
 * @param joinMoves of them, nodes a joiner displaced (the capacity swap); not repairs, so not in
 *     {@code repairs} nor {@code movesPerRepair}
 * @param repairMoves of them, new edges made by repairs
 * @param reportMoves of them, new edges made by starving reports and the demotions they caused
 * @param capacityMoves of them, children beyond a measured viewer's slots, moved
 * @param joinsThatMoved joins that displaced at least one node
 * @param joinMovesPerMinute join moves per minute in the steady phase (as {@code repairsPerMinute})
 * @param completed false if the run was stopped before the simulated time ran out
 * @param withholding the withholders' part (all zero without withholders)
 */
public record SimResult(
    int viewers,
    long joins,
    long departures,
    long repairs,
    double repairsPerMinute,
    long[] movesPerRepair,
    double[] movesPerJoin,
    long moves,
    long joinMoves,
    long repairMoves,
    long reportMoves,
    long capacityMoves,
    long joinsThatMoved,
    double joinMovesPerMinute,
    long evictions,
    long refusedJoins,
    int[] depthHistogram,
    int maxDepth,
    int depthBound,
    int originChildren,
    int originCopies,
    double originCopiesMean,
    int originCopiesPeak,
    int httpFallbackAtEnd,
    int population,
    double simulatedSeconds,
    double wallSeconds,
    long events,
    boolean completed,
    WithholdingResult withholding) {

  /**
   * Origin bytes ÷ one copy of the stream: each origin child and each HTTP-fallback viewer costs
   * one copy.
   */
  public double originEgressRatio() {
    return originCopies;
  }

  /** 1 − origin bytes ÷ all bytes delivered (every watching node receives one copy). */
  public double offload() {
    return population == 0 ? 0 : 1 - (double) originCopies / population;
  }

  public double meanDepth() {
    long n = 0;
    long sum = 0;
    for (int d = 1; d < depthHistogram.length; d++) {
      n += depthHistogram[d];
      sum += (long) d * depthHistogram[d];
    }
    return n == 0 ? 0 : (double) sum / n;
  }
}

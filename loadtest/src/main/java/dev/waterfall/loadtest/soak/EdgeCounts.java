package dev.waterfall.loadtest.soak;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/** What the simulated children have done so far; read by the sampler while they run. */
final class EdgeCounts {
  /** Children whose DataChannel to the booster opened. */
  final AtomicLong made = new AtomicLong();

  /** Of those, edges closed again (the child left, the booster tore its end down). */
  final AtomicLong closed = new AtomicLong();

  /**
   * Children that were placed under the booster but whose edge never opened (it still made a
   * connection).
   */
  final AtomicLong failed = new AtomicLong();

  /**
   * Joins refused (no slot) or placed elsewhere than under the booster: no edge of the booster's.
   */
  final AtomicLong refused = new AtomicLong();

  final AtomicLong misplaced = new AtomicLong();

  /**
   * Children that ended without an edge while the booster was between processes (draining, exited,
   * or the fresh one not yet fed): refused (no slot), placed elsewhere (under the origin, in the
   * old booster's slot) or whose edge never opened. The recycle's doing, counted apart from the
   * above; none is a booster edge.
   */
  final AtomicLong refusedInRecycle = new AtomicLong();

  final AtomicLong elsewhereInRecycle = new AtomicLong();
  final AtomicLong failedInRecycle = new AtomicLong();

  /**
   * Children the coordinator evicted after placing them (a draining booster's, with nowhere else to
   * go).
   */
  final AtomicLong evicted = new AtomicLong();

  /** Edges that carried at least one frame before the child left, and the bytes they carried. */
  final AtomicLong withData = new AtomicLong();

  final AtomicLong bytes = new AtomicLong();

  /** Welcome → DataChannel open, ms. */
  final ConcurrentHistogram openMs = new ConcurrentHistogram(3);
}

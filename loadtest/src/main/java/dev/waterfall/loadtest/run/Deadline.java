package dev.waterfall.loadtest.run;

/**
 * A scenario's time budget: phases check it between steps and stop early rather than run unbounded.
 */
public final class Deadline {
  private final long endNanos;

  private Deadline(long endNanos) {
    this.endNanos = endNanos;
  }

  public static Deadline in(long seconds) {
    return new Deadline(System.nanoTime() + seconds * 1_000_000_000L);
  }

  public static Deadline inMillis(long millis) {
    return new Deadline(System.nanoTime() + millis * 1_000_000L);
  }

  public boolean passed() {
    return System.nanoTime() - endNanos >= 0;
  }

  public long remainingMillis() {
    return Math.max(0, (endNanos - System.nanoTime()) / 1_000_000);
  }
}

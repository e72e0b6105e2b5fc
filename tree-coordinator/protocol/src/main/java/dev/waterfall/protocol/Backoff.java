package dev.waterfall.protocol;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The one reconnect back-off toward coordinators (relays, loadtest's simulated clients; the pages'
 * p2p/backoff.js is the same): the n-th retry waits a random time between half and all of min(4 s,
 * 250 ms × 2^n), so a crowd that lost its coordinator spreads out. 4 s, not more: several tries
 * must fit in the resume grace (liveness.resumeGraceMs, 15 s) after a coordinator dies. Not
 * thread-safe: one per connection, on its context.
 */
public final class Backoff {
  public static final long FIRST_MS = 250;
  public static final long MAX_MS = 4000;

  private int attempt;

  /** The n-th retry's ceiling, without jitter (n from 0). */
  public static long base(int attempt) {
    return Math.min(MAX_MS, FIRST_MS << Math.min(attempt, 10));
  }

  /** The n-th retry's delay, jittered (for a caller that counts attempts itself). */
  public static long jittered(int attempt) {
    long base = base(attempt);
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  /** The next retry's delay, jittered, and one more attempt counted. */
  public long next() {
    return jittered(attempt++);
  }

  /** The next retry's delay without jitter (a refusal for now: ask again on the same socket). */
  public long nextUnjittered() {
    return base(attempt++);
  }

  /** Connected and welcomed: the next failure starts again from {@link #FIRST_MS}. */
  public void reset() {
    attempt = 0;
  }
}

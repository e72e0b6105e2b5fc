// The one reconnect back-off toward coordinators (relay-node and loadtest use the same, Java's Backoff): the n-th
// retry waits a random time between half and all of min(4 s, 250 ms × 2^n), so a crowd of pages that lost its
// coordinator spreads out. 4 s, not more: several tries must fit in liveness.resumeGraceMs (15 s) after a
// coordinator dies.

export const FIRST_MS = 250;
export const MAX_MS = 4000;

/** The n-th retry's ceiling, without jitter (n from 0). */
export function base(attempt) {
  return Math.min(MAX_MS, FIRST_MS * 2 ** Math.min(attempt, 10));
}

export class Backoff {
  /** @param {() => number} random in [0, 1), for tests */
  constructor(random = Math.random) {
    this.random = random;
    this.attempt = 0;
  }

  /** The next retry's delay, jittered, and one more attempt counted. */
  next() {
    const b = base(this.attempt++);
    return b / 2 + this.random() * (b / 2);
  }

  /** Connected and welcomed: the next failure starts again from FIRST_MS. */
  reset() {
    this.attempt = 0;
  }
}

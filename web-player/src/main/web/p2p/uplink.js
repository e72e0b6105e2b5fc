// The page's upload, learnt from what it actually sends: a browser cannot know its uplink, and most homes cannot
// carry four copies of a stream. A busy period starts when a frame is queued while every child's queue was empty
// and ends when they have all drained: the bytes it queued over its length is what the uplink carried while it
// was the bottleneck (every child is sent the same frames at once, so their queues fill and drain together), if
// it fed at least two children. A
// backlog that never drains is sampled every LONG_BUSY_MS from what left the queues meanwhile. The coordinator
// turns the figure into slots (docs/architecture.md, "Capacity").

/** A busy period shorter than this, or carrying less, says more about timers than about the uplink. */
export const MIN_SAMPLE_BYTES = 96 * 1024;
export const MIN_SAMPLE_MS = 20;
/** A backlog lasting this long is sampled without waiting for it to drain. */
export const LONG_BUSY_MS = 1000;
/** Samples older than this are forgotten: an uplink shared with the household changes. */
export const WINDOW_MS = 30000;

/** Children a busy period must have fed for its rate to be the uplink's, not one edge's (see sample()). */
export const MIN_SAMPLE_CHILDREN = 2;

export class UplinkMeter {
  constructor() {
    this.busySince = -1;
    this.busyBytes = 0;
    /** The children sent to during the busy period. */
    this.busyChildren = new Set();
    /** @type {{at: number, kbps: number}[]} */
    this.samples = [];
  }

  /**
   * `bytes` were queued for child `childId` at `now`; `queuedBefore`: what every child's queue held together just
   * before.
   */
  sent(now, bytes, queuedBefore, childId) {
    if (this.busySince < 0 && queuedBefore === 0) {
      this.busySince = now;
      this.busyBytes = 0;
      this.busyChildren.clear();
    }
    if (this.busySince >= 0) {
      this.busyBytes += bytes;
      this.busyChildren.add(childId);
    }
  }

  /** The queues hold `queued` bytes at `now` (0 when a channel reports it drained). */
  check(now, queued) {
    if (this.busySince < 0) return;
    const ms = now - this.busySince;
    if (queued === 0) {
      this.sample(now, this.busyBytes, ms);
      this.busySince = -1;
    } else if (ms >= LONG_BUSY_MS) {
      this.sample(now, this.busyBytes - queued, ms);
      this.busySince = now; // what is still queued opens the next sample, for the same children
      this.busyBytes = queued;
    }
  }

  /**
   * One child's backlog drains at that edge's rate: over a lossy home link far below the uplink (field lab: a
   * 20 Mbit/s booster measured one stream and lost its slots). Only a period that fed several children at once,
   * competing for the uplink, measures it; a lone child's delivery counts through sustained delivery instead
   * (Downstream.uplinkKbps).
   */
  sample(now, bytes, ms) {
    if (bytes >= MIN_SAMPLE_BYTES && ms >= MIN_SAMPLE_MS && this.busyChildren.size >= MIN_SAMPLE_CHILDREN) {
      this.samples.push({ at: now, kbps: bytes * 8 / ms });
    }
  }

  /** kbit/s the uplink has been seen to carry: the best sample of the last WINDOW_MS; null before any. */
  kbps(now) {
    this.samples = this.samples.filter((s) => now - s.at <= WINDOW_MS);
    if (this.samples.length === 0) return null;
    return Math.round(Math.max(...this.samples.map((s) => s.kbps)));
  }
}

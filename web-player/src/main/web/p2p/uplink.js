// The page's upload, learnt from what it actually sends: a browser cannot know its uplink, and most homes cannot
// carry four copies of a stream. A busy period starts when a frame is queued while every child's queue was empty
// and ends when they have all drained: the bytes it queued over its length is what the uplink carried while it
// was the bottleneck (every child is sent the same frames at once, so their queues fill and drain together). A
// backlog that never drains is sampled every LONG_BUSY_MS from what left the queues meanwhile. The coordinator
// turns the figure into slots (docs/architecture.md, "Capacity").

/** A busy period shorter than this, or carrying less, says more about timers than about the uplink. */
export const MIN_SAMPLE_BYTES = 96 * 1024;
export const MIN_SAMPLE_MS = 20;
/** A backlog lasting this long is sampled without waiting for it to drain. */
export const LONG_BUSY_MS = 1000;
/** Samples older than this are forgotten: an uplink shared with the household changes. */
export const WINDOW_MS = 30000;

export class UplinkMeter {
  constructor() {
    this.busySince = -1;
    this.busyBytes = 0;
    /** @type {{at: number, kbps: number}[]} */
    this.samples = [];
  }

  /** `bytes` were queued at `now`; `queuedBefore`: what every child's queue held together just before. */
  sent(now, bytes, queuedBefore) {
    if (this.busySince < 0 && queuedBefore === 0) {
      this.busySince = now;
      this.busyBytes = 0;
    }
    if (this.busySince >= 0) this.busyBytes += bytes;
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
      this.busySince = now; // what is still queued opens the next sample
      this.busyBytes = queued;
    }
  }

  sample(now, bytes, ms) {
    if (bytes >= MIN_SAMPLE_BYTES && ms >= MIN_SAMPLE_MS) this.samples.push({ at: now, kbps: bytes * 8 / ms });
  }

  /** kbit/s the uplink has been seen to carry: the best sample of the last WINDOW_MS; null before any. */
  kbps(now) {
    this.samples = this.samples.filter((s) => now - s.at <= WINDOW_MS);
    if (this.samples.length === 0) return null;
    return Math.round(Math.max(...this.samples.map((s) => s.kbps)));
  }
}

// The low-latency player's distance behind live, given back after a stall has passed. hls.js raises its target
// latency by a second at every stall (liveSyncOnStallIncrease, up to one target duration) and never lowers it
// again, so a page that stalled once while its device was busy starting up plays a second or two further behind
// for the rest of the session (loadtest latency: pages that stalled at start sat at 2 s where the others kept
// 1.1 s). After a quiet period without a stall the target goes back to what it was, and hls.js's catch-up (playing
// up to maxLiveSyncPlaybackRate while more than a second is buffered) closes the gap. Each give-back doubles the
// quiet period the next needs, so a network that cannot hold the low target settles further back instead of
// stalling every half minute.

/** Quiet playback needed before the first give-back; doubled after each. */
export const QUIET_MS = 30000;
const STALLED = 'bufferStalledError';

export class LatencyGiveBack {
  /**
   * @param {{targetLatency: number|null, on: Function}} hls  an hls.js instance (its `targetLatency` setter also
   *        clears its stall count)
   * @param {{ERROR: string}} events  Hls.Events
   * @param {() => number} [now]
   */
  constructor(hls, events, now = () => performance.now()) {
    this.hls = hls;
    this.now = now;
    /** The target before any stall raised it (null until hls.js has a playlist). */
    this.base = null;
    this.lastStallAt = null;
    this.quietMs = QUIET_MS;
    this.givenBack = 0;
    hls.on(events.ERROR, (_event, data) => {
      if (data && data.details === STALLED) this.lastStallAt = this.now();
    });
  }

  /** Called every second or so. */
  tick() {
    const target = this.hls.targetLatency;
    if (typeof target !== 'number') return;
    if (this.lastStallAt === null) {
      this.base = this.base === null ? target : Math.min(this.base, target);
      return;
    }
    if (this.base === null || target <= this.base + 0.01) return;
    if (this.now() - this.lastStallAt < this.quietMs) return;
    this.hls.targetLatency = this.base;
    this.givenBack++;
    this.quietMs *= 2;
  }
}

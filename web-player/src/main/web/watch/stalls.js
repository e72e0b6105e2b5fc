// Stalls as the viewer sees them, each put down to one of two causes, because they call for different fixes:
// - data late: the segment the playhead needed had not reached the player yet (from the parent, the store or
//   HTTP). Always the product's to fix.
// - page busy: the player had held that segment for PAGE_BUSY_MS or more without getting it into the media
//   buffer: the device's CPU was too busy to transmux and append it (a healthy device takes ~0.1 s).
// A 'waiting' during a seek (hls.js skipping a hole at start-up, or the viewer seeking) is a jump, not a stall.

export const PAGE_BUSY_MS = 1000;
/** A fragment handed over this long ago and never buffered was dropped by hls.js, not held. */
const FORGET_MS = 30000;

export class StallWatch {
  /**
   * @param {HTMLVideoElement} video
   * @param {Object} state  window.waterfall.state: waitingAfterStart, stallsDataLate, stallsPageBusy and
   *                        stalledMs are kept up to date here
   * @param {() => number} [now]
   */
  constructor(video, state, now = () => performance.now()) {
    this.video = video;
    this.state = state;
    this.now = now;
    /** Fragments handed to hls.js and not yet in the media buffer: sn → {at, start, end}. */
    this.held = new Map();
    this.stalledSince = null;
  }

  /** hls.js has the fragment's bytes (FRAG_LOADED). */
  loaded(frag) {
    if (!frag || typeof frag.sn !== 'number') return;
    this.held.set(frag.sn, { at: this.now(), start: frag.start, end: frag.start + frag.duration });
  }

  /** The fragment is in the media buffer (FRAG_BUFFERED); returns how long that took since it was loaded, or null. */
  buffered(frag) {
    const entry = frag && this.held.get(frag.sn);
    if (!entry) return null;
    this.held.delete(frag.sn);
    return this.now() - entry.at;
  }

  /** The media pipeline was reset (hls.js destroyed or recovering): nothing held any more. */
  reset() {
    this.held.clear();
  }

  /** A 'waiting' event after playback began. */
  waiting() {
    if (this.video.seeking || this.stalledSince !== null) return;
    const now = this.now();
    this.stalledSince = now;
    this.state.waitingAfterStart++;
    const since = this.heldSince(now);
    if (since !== null && now - since >= PAGE_BUSY_MS) this.state.stallsPageBusy++;
    else this.state.stallsDataLate++;
  }

  /** A 'playing' event: a stall, if any, is over. */
  playing() {
    if (this.stalledSince === null) return;
    this.state.stalledMs += Math.round(this.now() - this.stalledSince);
    this.stalledSince = null;
  }

  /** The media buffer's ranges, e.g. "6.0-12.1 14.0-16.0", for a stall's report. */
  bufferedRanges() {
    const b = this.video.buffered;
    const ranges = [];
    for (let i = 0; i < b.length; i++) ranges.push(b.start(i).toFixed(2) + '-' + b.end(i).toFixed(2));
    return ranges.join(' ');
  }

  /** The fragments handed to hls.js and not yet buffered, e.g. "12@38.0 (900 ms)", for a stall's report. */
  heldFragments() {
    const now = this.now();
    return [...this.held].map(([sn, f]) => sn + '@' + f.start.toFixed(1) + ' (' + Math.round(now - f.at) + ' ms)')
      .join(' ');
  }

  /**
   * Since when the player has held, unbuffered, the fragment the playhead runs into (the one that continues
   * the buffer around currentTime); null when it does not have it.
   */
  heldSince(now) {
    const t = this.video.currentTime;
    const b = this.video.buffered;
    let edge = t;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) <= t + 0.1 && t <= b.end(i)) edge = b.end(i);
    }
    let since = null;
    for (const [sn, f] of this.held) {
      if (now - f.at > FORGET_MS) {
        this.held.delete(sn);
      } else if (f.start <= edge + 0.5 && f.end > edge) {
        since = since === null ? f.at : Math.min(since, f.at);
      }
    }
    return since;
  }
}

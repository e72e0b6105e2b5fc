// Whether an open link's parent starves this page (relay-node's StarvationWatch, the same rule): over the last
// WINDOW_MS the parent supplied less than MIN_SHARE of the stream bytes that came in, the rest over HTTP. A parent
// that withholds data, or whose uplink or link cannot carry the stream, looks the same from here and calls for the
// same answer: be moved (a `starving` report with the share; the coordinator tells the two apart by it). Only bytes
// the store accepted from the parent count: duplicates or padding do not make a withholding parent look busy.
// A parent that had been delivering and then supplied nothing at all for SILENCE_MS while the stream kept coming
// over HTTP is gone (its home offline: no close reaches us) and is reported without waiting for the window to
// tip, which took ~5 s (field lab --cut-at).

/** How long a link is judged over, and so the soonest a report follows the link's opening. */
export const WINDOW_MS = 10000;
/** The parent's least share of what came in, below which it starves us. */
export const MIN_SHARE = 0.5;
/** How long a parent that was delivering may send nothing while HTTP brings the stream. */
export const SILENCE_MS = 3000;

export class StarvationWatch {
  constructor() {
    /** [at, fromParent, healed] since the link opened; the oldest at least a window old once one has passed. */
    this.samples = [];
    this.open = false;
    /** Whether the open link's parent has delivered anything yet (silence means stopping, not never starting). */
    this.delivered = false;
  }

  /** A link to a parent opened: judge it from now on, by its own deliveries only. */
  linkOpened() {
    this.samples = [];
    this.open = true;
    this.delivered = false;
  }

  /** No open link: nothing to judge (the missing-link report covers it). */
  linkClosed() {
    this.samples = [];
    this.open = false;
  }

  /**
   * One tick's running totals: bytes accepted from the parent, bytes that came over HTTP. Returns a verdict to
   * report, `{ share, detail }` (the parent's share of the last window, and why), or null; the next report then
   * needs a whole new window.
   */
  check(now, fromParent, healed) {
    if (!this.open) return null;
    const samples = this.samples;
    if (samples.length > 0 && fromParent > samples[0][1]) this.delivered = true;
    samples.push([now, fromParent, healed]);
    while (samples.length > 2 && now - samples[1][0] >= WINDOW_MS) samples.shift();
    const first = samples[0];
    const parent = fromParent - first[1];
    const http = healed - first[2];
    const share = parent + http > 0 ? parent / (parent + http) : 0;
    const quiet = this.delivered ? this.silentSince(now, fromParent, healed) : null;
    if (quiet) {
      this.samples = [[now, fromParent, healed]];
      this.delivered = false;
      return { share, detail: 'the parent supplied nothing for ' + quiet / 1000 + ' s while the stream came over HTTP' };
    }
    if (now - first[0] < WINDOW_MS) return null;
    if (http <= 0 || parent >= MIN_SHARE * (parent + http)) return null;
    this.samples = [[now, fromParent, healed]];
    return { share, detail: 'the parent supplied ' + Math.round(share * 100) + '% of the last ' + WINDOW_MS / 1000
      + ' s; the rest came over HTTP' };
  }

  /** SILENCE_MS when the parent supplied nothing over at least the last SILENCE_MS and HTTP did, else 0. */
  silentSince(now, fromParent, healed) {
    const samples = this.samples;
    for (let i = samples.length - 1; i >= 0; i--) {
      const [at, parent, http] = samples[i];
      if (now - at >= SILENCE_MS) return parent === fromParent && healed > http ? SILENCE_MS : 0;
    }
    return 0;
  }
}

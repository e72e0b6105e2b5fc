// Whether an open link's parent starves this page (relay-node's StarvationWatch, the same rule): over the last
// WINDOW_MS the parent supplied less than MIN_SHARE of the stream bytes that came in, the rest over HTTP. A parent
// that withholds data, or whose uplink or link cannot carry the stream, looks the same from here and calls for the
// same answer: be moved (a `starving` report with the share; the coordinator tells the two apart by it). Only bytes
// the store accepted from the parent count: duplicates or padding do not make a withholding parent look busy.

/** How long a link is judged over, and so the soonest a report follows the link's opening. */
export const WINDOW_MS = 10000;
/** The parent's least share of what came in, below which it starves us. */
export const MIN_SHARE = 0.5;

export class StarvationWatch {
  constructor() {
    /** [at, fromParent, healed] since the link opened; the oldest at least a window old once one has passed. */
    this.samples = [];
    this.open = false;
  }

  /** A link to a parent opened: judge it from now on, by its own deliveries only. */
  linkOpened() {
    this.samples = [];
    this.open = true;
  }

  /** No open link: nothing to judge (the missing-link report covers it). */
  linkClosed() {
    this.samples = [];
    this.open = false;
  }

  /**
   * One tick's running totals: bytes accepted from the parent, bytes that came over HTTP. Returns the parent's
   * share of the last window when it is below MIN_SHARE (report it), else -1; the next report then needs a whole
   * new window.
   */
  check(now, fromParent, healed) {
    if (!this.open) return -1;
    const samples = this.samples;
    samples.push([now, fromParent, healed]);
    while (samples.length > 2 && now - samples[1][0] >= WINDOW_MS) samples.shift();
    const first = samples[0];
    if (now - first[0] < WINDOW_MS) return -1;
    const parent = fromParent - first[1];
    const http = healed - first[2];
    if (http <= 0 || parent >= MIN_SHARE * (parent + http)) return -1;
    this.samples = [[now, fromParent, healed]];
    return parent / (parent + http);
  }
}

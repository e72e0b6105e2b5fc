// What it costs this page, measured, to get a segment over HTTP and into the player: the fetch, then hls.js's
// transmux and append. The loader waits for the P2P store only as long as leaves this much time before the
// buffer runs out, so a page on a slow link or a busy device turns to HTTP sooner instead of stalling. A fixed
// margin (1 s) was right on an idle machine and too thin on a loaded one, where a fetch took up to 2 s and an
// append 0.8–1.2 s, and pages that started with one segment in hand stalled at the next boundary.

/** The margin before anything is measured, and its floor. */
export const MIN_MARGIN_MS = 1000;
/**
 * The same floor for an LL-HLS part (a few tens of KB, where a segment is hundreds): a part's fetch took 25-300 ms
 * on a loaded loopback, and an LL player holds only ~1 s ahead, so the segment floor would send every part to HTTP.
 */
export const MIN_PART_MARGIN_MS = 250;
/**
 * A part's fetch time counts this long. A part fetch is measured only when it beats the store, so a slow one would
 * otherwise set the margin for good, every later part would be fetched at once, and the tree would carry nothing.
 */
export const PART_FETCH_KEPT_MS = 10000;
/** Recent measurements kept of each kind; the margin follows the worst of them. */
const SAMPLES = 4;
/** Headroom over the worst recent fetch plus append. */
const HEADROOM = 1.5;

export class DeliveryCost {
  constructor(now = () => performance.now()) {
    this.now = now;
    this.fetches = [];
    this.appends = [];
    this.partFetches = [];
  }

  /** A whole segment came over HTTP in `ms`. */
  noteFetch(ms) {
    keep(this.fetches, ms);
  }

  /** An LL-HLS part came over HTTP in `ms`. */
  notePartFetch(ms) {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    this.partFetches.push({ ms, at: this.now() });
    if (this.partFetches.length > SAMPLES) this.partFetches.shift();
  }

  /** hls.js took `ms` from having a segment's bytes to having it in the media buffer. */
  noteAppend(ms) {
    keep(this.appends, ms);
  }

  /** The time an HTTP fetch and its append should be given. */
  marginMs() {
    return Math.max(MIN_MARGIN_MS, HEADROOM * (worst(this.fetches) + worst(this.appends)));
  }

  /** The time an HTTP fetch of an LL-HLS part and its append should be given. */
  partMarginMs() {
    const recent = this.partFetches.filter((f) => this.now() - f.at <= PART_FETCH_KEPT_MS).map((f) => f.ms);
    return Math.max(MIN_PART_MARGIN_MS, HEADROOM * (worst(recent) + worst(this.appends)));
  }
}

function keep(list, ms) {
  if (!(ms >= 0) || !Number.isFinite(ms)) return;
  list.push(ms);
  if (list.length > SAMPLES) list.shift();
}

function worst(list) {
  return list.length === 0 ? 0 : Math.max(...list);
}

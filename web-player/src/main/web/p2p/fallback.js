// The HTTP fallback relays of the stream (welcome.fallbacks): where the gap filler (gaps.js) fetches what the
// parent does not deliver in time, and the player (loader.js) what the store cannot give it. One base at a time;
// a fetch that fails moves the ones after it to the next base.

const FETCH_TIMEOUT_MS = 5000;

const trimmed = (base) => base.replace(/\/+$/, '');

export class Fallbacks {
  /** @param {string} stream */
  constructor(stream) {
    this.stream = stream;
    /** Base URLs without a trailing slash, as the coordinator lists them. */
    this.bases = [];
    this.index = 0;
  }

  /** Takes `list` as the bases (anything but an array: none). */
  set(list) {
    this.bases = Array.isArray(list) ? list.map(trimmed) : [];
  }

  /** The URL of `path` (e.g. "index.m3u8", "seg-7.ts") at the current fallback relay. */
  url(path) {
    const base = this.bases[this.index % Math.max(1, this.bases.length)];
    return base + '/hls/' + encodeURIComponent(this.stream) + '/' + path;
  }

  /** A fetch from the current fallback; a failure moves to the next fallback for the following fetches. */
  async fetch(path, timeoutMs = FETCH_TIMEOUT_MS, signal = null) {
    const url = this.url(path);
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (signal) signals.push(signal);
    try {
      const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.any(signals) });
      if (!res.ok) throw new Error(url + ' answered ' + res.status);
      return res;
    } catch (e) {
      if (!(signal && signal.aborted)) this.index++; // the caller gave up on it: no sign against this relay
      throw e;
    }
  }
}

// An hls.js loader (config.loader) that plays from the page's P2P store. hls.js is given a virtual playlist URL,
// <origin>/p2p/<stream>/index.m3u8, that never reaches the network: this loader answers it with the store's
// playlist (the same text relays serve), and seg-N.ts with the store's verified bytes. What the store does not
// have in time comes over HTTP from a fallback relay instead, so the tree never causes a stall:
// - the playlist, before the store can play anything, and while it lags the stream (node.js playlist());
// - the first segments while the store holds nothing yet (hls.js starts before the P2P link forms, and its first
//   segments come over HTTP as a plain page's would: no start-up penalty; node.js STARTUP_HTTP_SEGMENTS), one
//   not complete within its deadline (segmentDeadline: shorter when the player holds little, and on a page whose
//   HTTP fetches and appends are slow: delivery.js), or one older than anything the parent is sending.
// Whole segments fetched this way go straight to the player (not through the store) and count as fallback bytes;
// a segment past its deadline still plays from the store if it completes there before the fetch lands.
// An LL-HLS page (node.parts, `?ll=1`) plays the real /ll/ playlist of a fallback relay, fetched over HTTP with
// blocking reload: that request is what tells hls.js a part exists, and the relay answers it the moment the part is
// whole, which no page-made playlist could do sooner (the page learns of a part only once its parent forwards it,
// a hop or more later). The bytes are what the tree carries: init.mp4 and part-<id>.m4s are answered from the part
// store as soon as the part verifies there, within its deadline (partDeadline: PART_DEADLINE_MS, less when the player
// holds little), else fetched over HTTP, per part, the store racing the fetch; seg-<msn>.m4s from the store when
// all its parts are held.
// Every other URL goes to hls.js's own loader.

import { MIN_MARGIN_MS, MIN_PART_MARGIN_MS } from './delivery.js';

export const SEGMENT_DEADLINE_MS = 2000;
/**
 * The longest an LL-HLS part hls.js asked for may take to complete in the part store before it is fetched over
 * HTTP. hls.js asks for a part once the playlist's relay holds it whole, and the tree brings it tens of
 * milliseconds later per hop (55-97 ms p50 at depths 1-3 in LlPagesIT). The wait is shorter when the player holds
 * less (partDeadline).
 */
export const PART_DEADLINE_MS = 500;

/**
 * What an LL-HLS URL of `stream` names: {kind: 'init'}, {kind: 'part', id} or {kind: 'segment', msn}; null for
 * anything else (the playlist, another stream's, another path).
 */
export function llResource(url, stream) {
  let path;
  try {
    path = new URL(url).pathname;
  } catch (e) {
    return null;
  }
  const prefix = '/ll/' + encodeURIComponent(stream) + '/';
  if (!path.startsWith(prefix)) return null;
  const name = path.slice(prefix.length);
  if (name === 'init.mp4') return { kind: 'init' };
  const m = /^(part|seg)-(\d{1,15})\.m4s$/.exec(name);
  if (!m) return null;
  return m[1] === 'part' ? { kind: 'part', id: Number(m[2]) } : { kind: 'segment', msn: Number(m[2]) };
}

/**
 * How long to wait for the store: SEGMENT_DEADLINE_MS, but never so long that what the player holds ahead runs
 * out before an HTTP fetch could land; `marginMs` is what a fetch and its append take on this page (delivery.js,
 * measured). A page just started, or whose parent went quiet, holds little: it asks HTTP sooner rather than stall.
 */
export function segmentDeadline(bufferSeconds, marginMs = MIN_MARGIN_MS) {
  return Math.max(0, Math.min(SEGMENT_DEADLINE_MS, bufferSeconds * 1000 - marginMs));
}
const HTTP_TIMEOUT_MS = 10000;

/**
 * How long to wait for a part in the store: PART_DEADLINE_MS, but never so long that what the player holds
 * ahead runs out before an HTTP fetch and its append could land (`marginMs`, measured: delivery.js). An LL player
 * holds only ~1 s ahead, and a fixed 500 ms wait followed by a fetch under load (0.4-0.6 s) outlasted it: the
 * tree's LL pages stalled where a page fetching at once did not.
 */
export function partDeadline(bufferSeconds, marginMs = MIN_PART_MARGIN_MS) {
  return Math.max(0, Math.min(PART_DEADLINE_MS, bufferSeconds * 1000 - marginMs));
}

/**
 * Segment `sequence` past its deadline: an HTTP fetch, while the store may still complete it. A parent that is
 * slow rather than silent often finishes first (on a loaded machine the fetch took 2.7 s longer and the player
 * stalled meanwhile), so whichever lands first plays and the other is aborted. `via`: 'http' or 'store-late';
 * `ms`: the fetch's time, when it won. Rejects with the fetch's error only when neither can deliver.
 */
export async function raceHttpAndStore(node, sequence, signal) {
  const lost = new AbortController();
  const both = AbortSignal.any([signal, lost.signal]);
  const asked = performance.now();
  const http = node.fetchFallback('seg-' + sequence + '.ts', HTTP_TIMEOUT_MS, both)
    .then((res) => res.arrayBuffer())
    .then((data) => ({ via: 'http', data, ms: performance.now() - asked }));
  const store = node.waitForSegment(sequence, HTTP_TIMEOUT_MS, both).then((data) => {
    if (!data) throw new Error('segment ' + sequence + ' is not coming to the store');
    return { via: 'store-late', data };
  });
  try {
    return await Promise.any([http, store]);
  } catch (e) {
    throw (e instanceof AggregateError && e.errors[0]) || e; // the fetch's own error, for hls.js
  } finally {
    lost.abort(); // the loser: a fetch still downloading stops; a store wait stops polling
  }
}

/** The playlist URL to give hls.js for `stream`. */
export function p2pPlaylistUrl(stream) {
  return location.origin + '/p2p/' + encodeURIComponent(stream) + '/index.m3u8';
}

function newStats() {
  return {
    aborted: false, loaded: 0, retry: 0, total: 0, chunkCount: 0, bwEstimate: 0,
    loading: { start: 0, first: 0, end: 0 }, parsing: { start: 0, end: 0 }, buffering: { start: 0, first: 0, end: 0 },
  };
}

/**
 * @param {typeof Hls} Hls  the hls.js global
 * @param {import('./node.js').BrowserNode} node
 * @returns a loader class for `new Hls({loader})`
 */
export function p2pLoader(Hls, node) {
  const DefaultLoader = Hls.DefaultConfig.loader;
  const prefix = p2pPlaylistUrl(node.stream).replace(/index\.m3u8$/, '');

  return class P2PLoader {
    constructor(config) {
      this.hlsConfig = config;
      this.inner = null;
      this.ownStats = newStats();
      this.context = null;
      this.callbacks = null;
      this.controller = null;
      this.done = false;
    }

    get stats() {
      return this.inner ? this.inner.stats : this.ownStats;
    }

    load(context, config, callbacks) {
      const ll = node.parts ? llResource(context.url, node.stream) : null;
      if (ll) {
        this.loadFromParts(ll, context, config, callbacks);
        return;
      }
      if (!context.url.startsWith(prefix)) {
        this.inner = new DefaultLoader(this.hlsConfig);
        if (node.parts && /\.m3u8(\?|$)/.test(context.url)) {
          // A blocking playlist reload: when hls.js learns of each part, for a stall's diagnosis.
          const entry = node.notePartLoad(context.url.replace(/^.*\//, ''));
          entry.via = 'playlist';
          this.inner.load(context, config, Object.assign({}, callbacks, {
            onSuccess: (...args) => {
              entry.ms = Math.round(performance.now() - entry.t);
              callbacks.onSuccess(...args);
            },
          }));
          return;
        }
        this.inner.load(context, config, callbacks);
        return;
      }
      this.context = context;
      this.callbacks = callbacks;
      this.controller = new AbortController();
      this.ownStats.loading.start = performance.now();
      const name = context.url.slice(prefix.length).replace(/\?.*$/, '');
      const segment = /^seg-(\d+)\.ts$/.exec(name);
      const work = name === 'index.m3u8' ? this.playlist()
        : segment ? this.segment(Number(segment[1]))
          : Promise.reject(Object.assign(new Error('no such resource ' + name), { code: 404 }));
      work.then((data) => this.succeed(data), (e) => this.fail(e));
    }

    /**
     * An LL-HLS init, part or segment: from the part store if it holds it, else over HTTP. A part not held yet is
     * waited for only as long as the player can spare (partDeadline), then an HTTP fetch races the store.
     */
    loadFromParts(ll, context, config, callbacks) {
      this.context = context;
      this.loaderConfig = config;
      this.callbacks = callbacks;
      this.controller = new AbortController();
      this.ownStats.loading.start = performance.now();
      const entry = node.notePartLoad(context.url.replace(/^.*\//, '').replace(/\?.*$/, ''));
      const work = ll.kind === 'part' ? this.part(ll.id, context.url, entry)
        : this.storeOrHttp(ll.kind === 'init' ? node.partInit() : node.segmentFromParts(ll.msn), context.url, entry);
      work.then((data) => {
        entry.ms = Math.round(performance.now() - this.ownStats.loading.start);
        this.succeed(data);
      }, (e) => {
        entry.error = String((e && (e.name === 'AbortError' ? 'aborted' : e.code || e.message)) || e);
        this.fail(e);
      });
    }

    async storeOrHttp(bytes, url, entry) {
      if (bytes) {
        entry.via = 'store';
        node.stats.partsFromStore++;
        return bytes.buffer;
      }
      entry.via = 'http';
      const data = await this.httpGet(url, this.controller.signal);
      node.countHttpPart(data.byteLength);
      return data;
    }

    async part(id, url, entry) {
      const began = performance.now();
      entry.deadline = Math.round(partDeadline(node.bufferSeconds(), node.delivery.partMarginMs()));
      const bytes = await node.waitForPart(id, entry.deadline, this.controller.signal);
      if (this.done) throw new DOMException('aborted', 'AbortError');
      if (bytes) {
        entry.via = 'store';
        node.stats.partsFromStore++;
        return bytes.buffer;
      }
      // Past its deadline the part often completes in the store before a fetch started now lands (a parent that
      // is late rather than silent): whichever is first plays, and the other is aborted.
      const lost = new AbortController();
      const both = AbortSignal.any([this.controller.signal, lost.signal]);
      const asked = performance.now();
      const http = this.httpGet(url, both).then((data) => ({ via: 'http', data }));
      const store = node.waitForPart(id, HTTP_TIMEOUT_MS, both).then((data) => {
        if (!data) throw new Error('part ' + id + ' is not coming to the store');
        return { via: 'store-late', data: data.buffer };
      });
      try {
        const won = await Promise.any([http, store]);
        entry.via = won.via;
        if (won.via === 'http') {
          node.delivery.notePartFetch(performance.now() - asked);
          node.countHttpPart(won.data.byteLength);
        } else {
          node.stats.partsFromStore++;
          node.stats.partFetchesAborted++;
        }
        return won.data;
      } catch (e) {
        throw (e instanceof AggregateError && e.errors[0]) || e; // the fetch's own error, for hls.js
      } finally {
        lost.abort();
        entry.waited = Math.round(asked - began);
      }
    }

    /**
     * `url` over HTTP through hls.js's own loader (its timeouts and retries), as an ArrayBuffer; aborted with
     * `signal`, when the store won the race or hls.js aborted this load.
     */
    httpGet(url, signal) {
      return new Promise((resolve, reject) => {
        const loader = new DefaultLoader(this.hlsConfig);
        const aborted = () => reject(new DOMException('aborted', 'AbortError'));
        if (signal.aborted) {
          aborted();
          return;
        }
        signal.addEventListener('abort', () => {
          if (loader.abort) loader.abort();
          aborted();
        }, { once: true });
        loader.load(Object.assign({}, this.context, { url }), this.loaderConfig, {
          onSuccess: (response) => resolve(response.data),
          onError: (e) => reject(Object.assign(new Error(e.text || 'HTTP ' + e.code), { code: e.code })),
          onTimeout: () => reject(new DOMException('timed out: ' + url, 'TimeoutError')),
          onAbort: aborted,
        });
      });
    }

    async playlist() {
      const text = node.playlist();
      if (text !== null) return text;
      const fetched = await (await node.fetchFallback('index.m3u8', HTTP_TIMEOUT_MS, this.controller.signal)).text();
      node.noteListed(fetched);
      return fetched;
    }

    async segment(sequence) {
      const began = performance.now();
      const askedAt = Date.now();
      const entry = node.noteLoad(sequence);
      try {
        const bytes = await node.waitForSegment(sequence,
          segmentDeadline(node.bufferSeconds(), node.delivery.marginMs()));
        if (this.done) throw new Error('aborted');
        if (bytes) {
          entry.via = 'store';
          return await node.reveal(sequence, bytes);
        }
        const won = await raceHttpAndStore(node, sequence, this.controller.signal);
        entry.via = won.via;
        if (won.via === 'http') {
          node.delivery.noteFetch(won.ms);
          node.countHttpSegment(won.data.byteLength);
          node.gaps.adopt(sequence, won.data).catch(() => {}); // a chunk that fails its hash is simply not taken
        }
        return await node.reveal(sequence, won.data); // a private stream's: decrypted, which also authenticates it
      } catch (e) {
        entry.error = String((e && (e.code || e.message)) || e);
        throw e;
      } finally {
        entry.ms = Math.round(performance.now() - began);
        node.noteHops(entry, sequence, askedAt);
      }
    }

    succeed(data) {
      if (this.done || !this.callbacks) return;
      this.done = true;
      const stats = this.ownStats;
      const now = performance.now();
      const size = typeof data === 'string' ? data.length : data.byteLength;
      stats.loading.first = Math.max(stats.loading.start, now - 1);
      stats.loading.end = Math.max(now, stats.loading.start + 1);
      stats.loaded = stats.total = size;
      const callbacks = this.callbacks;
      if (callbacks.onProgress && this.context.progressData) {
        callbacks.onProgress(stats, this.context, data, null);
      }
      callbacks.onSuccess({ url: this.context.url, data: data, code: 200 }, stats, this.context, null);
    }

    fail(e) {
      if (this.done || !this.callbacks) return;
      this.done = true;
      const callbacks = this.callbacks;
      if (e && (e.name === 'TimeoutError') && callbacks.onTimeout) {
        callbacks.onTimeout(this.ownStats, this.context, null);
      } else {
        callbacks.onError({ code: (e && e.code) || 0, text: String(e && e.message) }, this.context, null, this.ownStats);
      }
    }

    abort() {
      if (this.inner) {
        this.inner.abort();
        return;
      }
      if (this.done) return;
      this.done = true;
      this.ownStats.aborted = true;
      if (this.controller) this.controller.abort();
      const callbacks = this.callbacks;
      if (callbacks && callbacks.onAbort) callbacks.onAbort(this.ownStats, this.context, null);
    }

    destroy() {
      if (this.inner) {
        this.inner.destroy();
        this.inner = null;
      }
      this.done = true;
      if (this.controller) this.controller.abort();
      this.callbacks = null;
      this.context = null;
    }

    getCacheAge() {
      return null;
    }

    getResponseHeader() {
      return null;
    }
  };
}

// The gap filler (relay-node's GapFiller): heals over HTTP, from the fallback relays, what the parent does not
// deliver in time. A chunk still missing when the player would otherwise run short (chunksDue) is fetched; so
// is a whole segment the parent skipped (a hole below one whose header came CHUNK_DEADLINE_MS ago: the playlist
// stops at a hole, so the player would run dry waiting for it); while the parent has sent nothing for
// PARENT_SILENCE_MS, or is behind (parentBehind: the next header overdue by BEHIND_MS), the fallback's playlist
// is polled and every segment after those held is fetched, header then chunks. What the store accepts is
// handed to `forward` (the children), as the parent's frames are.

import { decodeFrame, encodeChunkFrame } from './frames.js';
import { chunkLength, chunkOffset } from './header.js';
import { ChunkResult, HeaderResult } from './store.js';

/** The tree gets at least this long after a segment's header to bring its chunks (relay default). */
export const CHUNK_DEADLINE_MS = 1500;
/** ... and at most this long, whatever the player holds: children wait on this page's copy too. */
export const CHUNK_WAIT_MAX_MS = 3500;
/** A parent silent this long: the fallback playlist is polled for segments it never announced. */
export const PARENT_SILENCE_MS = 3000;
const PLAYLIST_POLL_MS = 1000;
/** The next header this late, against the fastest path held headers came by: the parent is behind. */
export const BEHIND_MS = 1000;
/** A hole's segments just below a held one are fetched, at most this many (an origin restart jumps thousands). */
const MAX_HOLE_SEGMENTS = 3;
/** A hole's segment whose fetch failed is tried again after this long. */
const HOLE_RETRY_MS = 1000;

/**
 * Whether the header after the newest held one is overdue. It is produced one duration after the newest, and
 * headers have come as soon as `best` after being produced (arrival − producedAt, the least among those held: the
 * clocks' offset plus the fastest path), so it is due by producedAt + duration + best. Judged in time, not by
 * silence: a parent that is alive but slow (its uplink below the stream, a lossy link) falls further behind with
 * no gap in its frames, and its child would stall long before it went quiet.
 */
export function parentBehind(store, now) {
  const held = store.sequences();
  if (held.length === 0) return false;
  let best = Infinity;
  for (const sequence of held) {
    const h = store.header(sequence);
    const s = store.status(sequence);
    if (h && s) best = Math.min(best, s.headerAtMillis - h.header.producedAtMillis);
  }
  const newest = store.header(held[held.length - 1]);
  if (!newest || best === Infinity) return false;
  return now > newest.header.producedAtMillis + newest.header.durationMillis + best + BEHIND_MS;
}

/**
 * Whether a segment's missing chunks are due over HTTP, `headerAgeMs` after its header came, when the player will
 * need it in `neededInMs` (what it holds ahead, plus every earlier segment still incomplete). In between the two
 * bounds, it waits for the tree while that leaves time for the fetch and its append (`marginMs`, measured) and
 * for the playlist reload that lists the segment once whole (one `durationMs`). Under a booster two lossy hops
 * away the last chunks land ~1.8 s after the header and the player holds ~4–6 s: a fixed 1.5 s deadline fetched
 * a third of those pages' bytes twice, and the HTTP share it added made their parent look starving.
 */
export function chunksDue(headerAgeMs, neededInMs, marginMs, durationMs) {
  if (headerAgeMs <= CHUNK_DEADLINE_MS) return false;
  return headerAgeMs >= CHUNK_WAIT_MAX_MS || neededInMs <= marginMs + durationMs;
}

export class GapFiller {
  /**
   * @param {import('./node.js').BrowserNode} node  its store and stats
   * @param {import('./fallback.js').Fallbacks} fallbacks
   * @param {(bytes: ArrayBuffer | Uint8Array, frame: Object) => void} forward  an encoded frame the store accepted,
   *        and the frame decoded
   */
  constructor(node, fallbacks, forward) {
    this.node = node;
    this.fallbacks = fallbacks;
    this.forward = forward;
    /** Segments being fetched (header or chunks): one fetch per segment at a time. */
    this.fetching = new Set();
    this.lastPoll = 0;
    /** When each hole's segment was last asked for. */
    this.holeTriedAt = new Map();
  }

  /** One tick: late chunks and holes; the playlist when the parent is silent since `lastParentFrameAt` or behind. */
  tick(now, lastParentFrameAt) {
    const store = this.node.store;
    const held = store.sequences();
    // When the player needs each incomplete segment: after what it holds and every incomplete one before it that
    // it has not asked for (one it asked for is in its buffer, or the loader's to deliver).
    let neededInMs = this.bufferMs();
    const asked = this.node.askedSegments;
    const marginMs = this.node.delivery.marginMs();
    for (let i = 0; i < held.length; i++) {
      const s = store.status(held[i]);
      if (!s) continue;
      const durationMs = s.complete || asked.has(held[i]) ? 0 : store.header(held[i]).header.durationMillis;
      const headerAgeMs = now - s.headerAtMillis;
      const due = !s.complete && chunksDue(headerAgeMs, neededInMs, marginMs, durationMs);
      neededInMs += durationMs;
      if (headerAgeMs <= CHUNK_DEADLINE_MS) continue;
      if (due && !this.fetching.has(held[i])) this.fetchChunks(held[i], store.missingChunks(held[i]));
      // Past the gap timeout the playlist has skipped the hole for good: nothing left to heal.
      const healable = i > 0 && headerAgeMs < store.limits.gapTimeoutMillis;
      const from = healable ? Math.max(held[i - 1] + 1, store.playableFrom, held[i] - MAX_HOLE_SEGMENTS) : held[i];
      for (let missing = from; missing < held[i]; missing++) {
        if (now - (this.holeTriedAt.get(missing) || 0) < HOLE_RETRY_MS) continue;
        this.holeTriedAt.set(missing, now);
        this.fetchSegment(missing);
      }
    }
    for (const sequence of this.holeTriedAt.keys()) {
      if (held.length === 0 || sequence < held[0]) this.holeTriedAt.delete(sequence);
    }
    if (now - this.lastPoll > PLAYLIST_POLL_MS
        && (now - lastParentFrameAt > PARENT_SILENCE_MS || parentBehind(store, now))) {
      this.lastPoll = now;
      this.poll().catch(() => {});
    }
  }

  /** What the player holds ahead, in ms; 0 for a node without one (its chunks then wait only the minimum). */
  bufferMs() {
    const seconds = this.node.bufferSeconds();
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
  }

  async poll() {
    const store = this.node.store;
    const text = await (await this.fallbacks.fetch('index.m3u8')).text();
    const available = [];
    for (const m of text.matchAll(/^seg-(\d+)\.ts$/gm)) available.push(Number(m[1]));
    const held = store.sequences();
    // Holding nothing: start near the live edge; else fill every hole after what is held.
    const from = held.length > 0 ? held[0] : available.length === 0 ? Infinity : available[Math.max(0, available.length - 3)];
    for (const sequence of available) {
      if (sequence >= from && !held.includes(sequence)) this.fetchSegment(sequence);
    }
  }

  /** Header, then chunks, of a segment the store does not hold; once at a time. */
  fetchSegment(sequence) {
    if (this.fetching.has(sequence)) return;
    const store = this.node.store;
    this.fetching.add(sequence);
    this.fetchHeader(sequence).then((stored) => {
      this.fetching.delete(sequence);
      if (stored) this.fetchChunks(sequence, store.missingChunks(sequence));
    }, () => this.fetching.delete(sequence));
  }

  async fetchHeader(sequence) {
    const bytes = await (await this.fallbacks.fetch('seg-' + sequence + '.hdr')).arrayBuffer();
    const frame = decodeFrame(bytes);
    const r = await this.node.store.addHeader(frame);
    if (r === HeaderResult.STORED) {
      this.forward(bytes, frame);
      this.node.stats.bytesByFallback += bytes.byteLength;
      this.node.stats.headersByHttp++;
    }
    return r === HeaderResult.STORED || r === HeaderResult.DUPLICATE;
  }

  /**
   * A whole segment the player had to fetch over HTTP (the loader, past its deadline): the chunks the store still
   * lacks are taken from it (each checked against its header, as any chunk) and forwarded, so neither this page's
   * gap filler nor its children fetch the same bytes again. Copied at once: the player may take the buffer.
   */
  async adopt(sequence, bytes) {
    const store = this.node.store;
    const held = store && store.header(sequence);
    if (!held || bytes.byteLength !== held.header.byteLength) return;
    const data = new Uint8Array(bytes);
    const chunks = store.missingChunks(sequence).map((index) => {
      const from = chunkOffset(held.header, index);
      return [index, data.slice(from, from + chunkLength(held.header, index))];
    });
    for (const [index, chunk] of chunks) {
      if (await store.addChunk(sequence, index, chunk) === ChunkResult.STORED) {
        this.forward(encodeChunkFrame(sequence, index, chunk), { type: 'chunk', sequence, index, payload: chunk });
      }
    }
  }

  async fetchChunks(sequence, missing) {
    if (missing.length === 0 || this.fetching.has(sequence)) return;
    const store = this.node.store;
    this.fetching.add(sequence);
    try {
      await Promise.all(missing.map(async (index) => {
        if (store.chunk(sequence, index)) return; // the parent delivered it meanwhile
        const bytes = new Uint8Array(await (await this.fallbacks.fetch('seg-' + sequence + '.ts/chunk/' + index)).arrayBuffer());
        if (await store.addChunk(sequence, index, bytes) === ChunkResult.STORED) {
          this.forward(encodeChunkFrame(sequence, index, bytes), { type: 'chunk', sequence, index, payload: bytes });
          this.node.stats.bytesByFallback += bytes.byteLength;
          this.node.stats.chunksByHttp++;
        }
      }));
    } catch (e) {
      // the next tick tries again (from the next fallback)
    } finally {
      this.fetching.delete(sequence);
    }
  }
}

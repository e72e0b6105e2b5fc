// A node's bounded segment store and its HLS playlist, as Java's SegmentStore and PlaylistBuilder
// (docs/protocol.md "Data-plane formats" §3). Whatever the store returns was signed by the origin: headers
// are kept only if their signature checks out, chunks only if they match their header.
//
// WebCrypto is async, so addHeader and addChunk are too. State changes happen after verification, each
// re-checking what may have changed meanwhile (exactly where Java re-takes its lock), and a chunk that
// arrives while its header is still being verified waits for it instead of being refused.

import { chunkLength, chunkOffset } from './header.js';
import { verifyChunk, verifyHeader } from './verify.js';
import { bytesEqual, toBytes } from './bytes.js';

export const HeaderResult = Object.freeze({
  STORED: 'STORED', DUPLICATE: 'DUPLICATE', REJECTED: 'REJECTED', CONFLICT: 'CONFLICT', TOO_OLD: 'TOO_OLD',
});
export const ChunkResult = Object.freeze({
  STORED: 'STORED', DUPLICATE: 'DUPLICATE', UNKNOWN_SEGMENT: 'UNKNOWN_SEGMENT', REJECTED: 'REJECTED',
});

export const DEFAULT_LIMITS = Object.freeze({
  windowMillis: 30000,
  /** 30 s of a 6 Mbps stream is ~23 MB; the cap only bites on a misbehaving source. */
  maxBytes: 128 * 1024 * 1024,
  /** About three 2 s segments: what a player's buffer rides out while the fallback fetch runs. */
  gapTimeoutMillis: 6000,
});

/** One segment being filled in; its bytes are allocated whole when the header arrives (byteLength is signed). */
class StoredSegment {
  constructor(header, signature, nowMillis) {
    this.header = header;
    this.signature = signature;
    this.data = new Uint8Array(header.byteLength);
    this.have = new Uint8Array(header.chunkCount);
    this.received = 0;
    this.headerAtMillis = nowMillis;
    this.firstChunkAtMillis = -1;
    this.completeAtMillis = -1;
  }

  get sequence() {
    return this.header.sequence;
  }

  complete() {
    return this.received === this.header.chunkCount;
  }
}

export class SegmentStore {
  /**
   * @param {CryptoKey} publicKey  the stream's key (verify.js importPublicKey)
   * @param {{windowMillis?: number, maxBytes?: number, gapTimeoutMillis?: number, stream?: string,
   *          now?: () => number}} [options]  `stream`: refuse well-signed headers of another stream;
   *          `now`: epoch milliseconds (tests pass their own clock)
   */
  constructor(publicKey, options = {}) {
    this.publicKey = publicKey;
    this.limits = Object.freeze({
      windowMillis: options.windowMillis ?? DEFAULT_LIMITS.windowMillis,
      maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
      gapTimeoutMillis: options.gapTimeoutMillis ?? DEFAULT_LIMITS.gapTimeoutMillis,
    });
    this.expectedStream = options.stream;
    this.now = options.now || (() => Date.now());
    /** @type {Map<number, StoredSegment>} */
    this.segments = new Map();
    /** Held sequences, ascending (a handful: a sorted array beats a tree here). */
    this.order = [];
    /** Header verifications under way, by sequence, so chunks can wait for them. */
    this.pending = new Map();
    this.heldMillis = 0;
    this.heldBytesTotal = 0;
    /** The lowest sequence a playlist may still show; -1 until known. Only grows. */
    this.playableFrom = -1;
  }

  /**
   * Verifies and keeps a header. Forward it to children only on STORED.
   * @param {{headerBytes: Uint8Array, signature: Uint8Array}} frame  a decoded HEADER frame
   * @returns {Promise<string>} a HeaderResult
   */
  addHeader(frame) {
    const sequence = frame.header ? frame.header.sequence : null;
    const operation = this.verifyAndAddHeader(frame);
    if (sequence !== null && !this.pending.has(sequence)) {
      // Chunks of this sequence that arrive meanwhile wait for the header to be verified and stored.
      this.pending.set(sequence, operation);
      const done = () => {
        if (this.pending.get(sequence) === operation) this.pending.delete(sequence);
      };
      operation.then(done, done);
    }
    return operation;
  }

  async verifyAndAddHeader(frame) {
    let header;
    try {
      header = await verifyHeader(this.publicKey, frame.headerBytes, frame.signature, this.expectedStream);
    } catch (e) {
      header = null;
    }
    if (header === null) return HeaderResult.REJECTED;
    const signature = toBytes(frame.signature).slice();
    const existing = this.segments.get(header.sequence);
    if (existing) {
      return bytesEqual(existing.header.encoded, header.encoded) && bytesEqual(existing.signature, signature)
        ? HeaderResult.DUPLICATE : HeaderResult.CONFLICT;
    }
    if (header.sequence < this.playableFrom) return HeaderResult.TOO_OLD;
    const segment = new StoredSegment(header, signature, this.now());
    this.insert(segment);
    this.evictOverLimits();
    return this.segments.get(header.sequence) === segment ? HeaderResult.STORED : HeaderResult.TOO_OLD;
  }

  /**
   * Verifies and keeps chunk `index` of segment `sequence`; the bytes are copied, not kept. Forward the chunk
   * only on STORED.
   * @returns {Promise<string>} a ChunkResult
   */
  async addChunk(sequence, index, bytes) {
    let segment = this.segments.get(sequence);
    if (!segment && this.pending.has(sequence)) {
      await this.pending.get(sequence).catch(() => null);
      segment = this.segments.get(sequence);
    }
    if (!segment) return ChunkResult.UNKNOWN_SEGMENT;
    if (!Number.isInteger(index) || index < 0 || index >= segment.header.chunkCount) return ChunkResult.REJECTED;
    if (segment.have[index]) return ChunkResult.DUPLICATE;
    try {
      await verifyChunk(segment.header, index, bytes);
    } catch (e) {
      return ChunkResult.REJECTED;
    }
    if (this.segments.get(sequence) !== segment) return ChunkResult.UNKNOWN_SEGMENT; // evicted while hashing
    if (segment.have[index]) return ChunkResult.DUPLICATE; // the same chunk arrived twice while hashing
    const now = this.now();
    segment.data.set(toBytes(bytes), chunkOffset(segment.header, index));
    segment.have[index] = 1;
    segment.received++;
    if (segment.firstChunkAtMillis < 0) segment.firstChunkAtMillis = now;
    if (segment.complete()) segment.completeAtMillis = now;
    return ChunkResult.STORED;
  }

  isComplete(sequence) {
    const segment = this.segments.get(sequence);
    return !!segment && segment.complete();
  }

  /** Indices not yet held, ascending; empty when complete or when no header is held for `sequence`. */
  missingChunks(sequence) {
    const segment = this.segments.get(sequence);
    const missing = [];
    if (segment) {
      for (let i = 0; i < segment.have.length; i++) if (!segment.have[i]) missing.push(i);
    }
    return missing;
  }

  /** The verified header and its signature (to forward as a HEADER frame), or null. */
  header(sequence) {
    const segment = this.segments.get(sequence);
    return segment ? { header: segment.header, headerBytes: segment.header.encoded, signature: segment.signature }
      : null;
  }

  /** A copy of the whole segment once every chunk is in, else null. A copy, because MSE may detach buffers. */
  segmentBytes(sequence) {
    const segment = this.segments.get(sequence);
    return segment && segment.complete() ? segment.data.slice() : null;
  }

  /** A copy of one chunk, if held (the backlog for a new child, or a fallback answer). */
  chunk(sequence, index) {
    const segment = this.segments.get(sequence);
    if (!segment || !Number.isInteger(index) || index < 0 || index >= segment.header.chunkCount
        || !segment.have[index]) {
      return null;
    }
    const offset = chunkOffset(segment.header, index);
    return segment.data.slice(offset, offset + chunkLength(segment.header, index));
  }

  /** A snapshot for stats and the fallback logic; times are epoch milliseconds, -1 for "not yet". */
  status(sequence) {
    const s = this.segments.get(sequence);
    return s ? {
      sequence, chunksReceived: s.received, chunkCount: s.header.chunkCount, complete: s.complete(),
      headerAtMillis: s.headerAtMillis, firstChunkAtMillis: s.firstChunkAtMillis, completeAtMillis: s.completeAtMillis,
      producedAtMillis: s.header.producedAtMillis,
    } : null;
  }

  /** The held sequences, complete or not, ascending. */
  sequences() {
    return this.order.slice();
  }

  /** First and last complete sequence held (what a WINDOW frame announces), or null when none is complete. */
  window() {
    let first = null;
    let last = null;
    for (const sequence of this.order) {
      if (this.segments.get(sequence).complete()) {
        if (first === null) first = sequence;
        last = sequence;
      }
    }
    return first === null ? null : { first, last };
  }

  /** Drops every segment before `sequence`, e.g. what fell out of the parent's window. */
  dropBefore(sequence) {
    while (this.order.length > 0 && this.order[0] < sequence) this.evict(this.segments.get(this.order[0]));
    this.playableFrom = Math.max(this.playableFrom, sequence);
  }

  get size() {
    return this.order.length;
  }

  /** Sum of the byte lengths of the segments held (memory is allocated when the header arrives). */
  heldBytes() {
    return this.heldBytesTotal;
  }

  /**
   * The newest `maxCount` headers a playlist should list: consecutive, complete, never going backwards. A gap
   * holds the playlist back until it fills or a later segment has waited gapTimeoutMillis; then it is skipped
   * for good.
   */
  playableSegments(maxCount) {
    if (!(maxCount >= 1)) throw new RangeError('maxCount must be positive');
    const run = this.playableRun(this.now());
    return run.slice(Math.max(0, run.length - maxCount)).map((s) => s.header);
  }

  /** The playable run from playableFrom; moves playableFrom past gaps that timed out (Java's playableRun). */
  playableRun(now) {
    let run = [];
    let from = this.playableFrom;
    let expected = this.playableFrom < 0 ? null : this.playableFrom;
    const start = Math.max(0, this.playableFrom);
    const tail = this.order.filter((sequence) => sequence >= start);
    for (let i = 0; i < tail.length; i++) {
      const segment = this.segments.get(tail[i]);
      if (expected !== null && segment.sequence !== expected) {
        // expected..sequence-1 never arrived: wait for them, unless this later one came long ago.
        if (now - segment.headerAtMillis < this.limits.gapTimeoutMillis) break;
        run = [];
        from = segment.sequence;
      }
      expected = segment.sequence + 1;
      if (segment.complete()) {
        run.push(segment);
        continue;
      }
      const later = i + 1 < tail.length ? this.segments.get(tail[i + 1]) : null;
      if (later === null || now - later.headerAtMillis < this.limits.gapTimeoutMillis) break;
      run = []; // an incomplete segment given up on: the playlist restarts after it
      from = segment.sequence + 1;
    }
    // What has been offered stays offered: nothing older may slip in front of it later.
    this.playableFrom = Math.max(from, run.length === 0 ? from : run[0].sequence);
    for (const sequence of this.order.filter((s) => s < this.playableFrom)) {
      const segment = this.segments.get(sequence);
      if (!segment.complete()) this.evict(segment);
    }
    return run;
  }

  insert(segment) {
    this.segments.set(segment.sequence, segment);
    let at = this.order.length;
    while (at > 0 && this.order[at - 1] > segment.sequence) at--;
    this.order.splice(at, 0, segment.sequence);
    this.heldMillis += segment.header.durationMillis;
    this.heldBytesTotal += segment.header.byteLength;
  }

  evictOverLimits() {
    while (this.order.length > 1
        && (this.heldMillis > this.limits.windowMillis || this.heldBytesTotal > this.limits.maxBytes)) {
      const oldest = this.segments.get(this.order[0]);
      this.evict(oldest);
      this.playableFrom = Math.max(this.playableFrom, oldest.sequence + 1);
    }
  }

  evict(segment) {
    this.segments.delete(segment.sequence);
    this.order.splice(this.order.indexOf(segment.sequence), 1);
    this.heldMillis -= segment.header.durationMillis;
    this.heldBytesTotal -= segment.header.byteLength;
  }
}

/** Enough for a player to start three segments from the live edge, as hls.js does by default. */
export const DEFAULT_PLAYLIST_SEGMENTS = 6;

export function segmentUri(sequence) {
  return 'seg-' + sequence + '.ts';
}

/** The playlist for what the store can play now, or null until one segment is complete (PlaylistBuilder.build). */
export function buildPlaylist(store, maxSegments = DEFAULT_PLAYLIST_SEGMENTS) {
  const segments = store.playableSegments(maxSegments);
  return segments.length === 0 ? null : renderPlaylist(segments, maxSegments);
}

/**
 * The HLS v3 media playlist for the newest `maxSegments` of these consecutive headers, text for text what
 * Java's PlaylistBuilder.render writes.
 */
export function renderPlaylist(segments, maxSegments = DEFAULT_PLAYLIST_SEGMENTS) {
  if (segments.length === 0) throw new RangeError('a playlist lists at least one segment');
  const listed = segments.slice(Math.max(0, segments.length - maxSegments));
  let maxDuration = 0;
  listed.forEach((segment, i) => {
    if (i > 0 && segment.sequence !== listed[i - 1].sequence + 1) {
      // HLS numbers segments by position: a hole would silently renumber every segment after it.
      throw new RangeError('segments must be consecutive: ' + listed[i - 1].sequence + ' then ' + segment.sequence);
    }
    maxDuration = Math.max(maxDuration, segment.durationMillis);
  });
  const first = listed[0];
  // A segment's discontinuitySequence counts the tag in front of it; the playlist's counts the ones before.
  const discontinuitySequence = first.discontinuitySequence - (first.discontinuity ? 1 : 0);
  let out = '#EXTM3U\n#EXT-X-VERSION:3\n';
  out += '#EXT-X-TARGETDURATION:' + Math.floor((maxDuration + 999) / 1000) + '\n';
  out += '#EXT-X-MEDIA-SEQUENCE:' + first.sequence + '\n';
  out += '#EXT-X-DISCONTINUITY-SEQUENCE:' + discontinuitySequence + '\n';
  for (const segment of listed) {
    if (segment.discontinuity) out += '#EXT-X-DISCONTINUITY\n';
    const millis = segment.durationMillis;
    out += '#EXTINF:' + Math.floor(millis / 1000) + '.' + String(millis % 1000).padStart(3, '0') + ',\n';
    out += segmentUri(segment.sequence) + '\n';
  }
  return out;
}

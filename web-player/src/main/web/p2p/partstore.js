// A page's LL-HLS parts, keyed by part id (Java's PartLedger, the page side): the init segment and the recent
// parts, each verified on the way in (parts.js: signature, stream, init hash, each chunk's SHA-256). Only what
// was stored is forwarded to the children, and the loader hands hls.js a part the moment its last chunk is in.
// WebCrypto is async: a chunk that arrives while its header is still being verified waits for it, as in store.js.

import { decodePartFrame, encodePartChunkFrame, encodeSignedPartFrame, PartFrameType, verifyInit, verifyPartChunk,
  verifyPartHeader } from './parts.js';
import { bytesEqual, toBytes } from './bytes.js';

export const PartResult = Object.freeze({
  STORED: 'STORED', DUPLICATE: 'DUPLICATE', REJECTED: 'REJECTED', WRONG_INIT: 'WRONG_INIT', UNKNOWN: 'UNKNOWN',
  TOO_OLD: 'TOO_OLD',
});

/** Parts kept: 30 s of 1/3 s parts, as the segment store's window. */
export const DEFAULT_WINDOW_MICROS = 30000000;

/** Part lags kept for the page state: 30 s of parts. */
export const LAGS_KEPT = 90;

class HeldPart {
  constructor(header, signature, now) {
    this.header = header;
    this.signature = signature;
    this.data = new Uint8Array(header.byteLength);
    this.have = new Uint8Array(header.chunkCount);
    this.received = 0;
    this.headerAtMillis = now;
    this.completeAtMillis = -1;
  }

  complete() {
    return this.received === this.header.chunkCount;
  }
}

export class PartStore {
  /**
   * @param {CryptoKey} publicKey  the stream's key
   * @param {{stream?: string, windowMicros?: number, now?: () => number}} [options]
   */
  constructor(publicKey, options = {}) {
    this.publicKey = publicKey;
    this.expectedStream = options.stream;
    this.windowMicros = options.windowMicros ?? DEFAULT_WINDOW_MICROS;
    this.now = options.now || (() => Date.now());
    /** {init: Uint8Array, sha256: Uint8Array, record: Uint8Array, signature: Uint8Array} once verified. */
    this.init = null;
    /** @type {Map<number, HeldPart>} */
    this.parts = new Map();
    /** Held part ids, ascending. */
    this.order = [];
    this.heldMicros = 0;
    /** Below this id nothing is taken any more (evicted). */
    this.floor = 0;
    this.pending = new Map();
    /** Resolvers waiting for a part to complete, by id. */
    this.waiters = new Map();
    /** For the page state: each recent part's completion here behind its signed producedAt, ms (origin's clock). */
    this.lags = [];
  }

  /**
   * One part frame (types 5–7, decoded or raw). Resolves to a PartResult: forward the frame on STORED; report the
   * sender on REJECTED (a bad signature or hash); WRONG_INIT is dropped quietly.
   */
  add(frame) {
    const f = frame instanceof Uint8Array || frame instanceof ArrayBuffer ? decodePartFrame(frame) : frame;
    if (f.type === 'init') return this.addInit(f.record, f.signature);
    if (f.type === 'part-header') return this.addHeader(f.header, f.signature);
    return this.addChunk(f.partId, f.index, f.payload);
  }

  async addInit(record, signature) {
    let verified;
    try {
      verified = await verifyInit(this.publicKey, record, signature, this.expectedStream);
    } catch (e) {
      return PartResult.REJECTED;
    }
    if (this.init && bytesEqual(this.init.sha256, verified.sha256)) return PartResult.DUPLICATE;
    // A new init (the origin restarted its encoder): the parts held play against the old one.
    for (const id of this.order.slice()) this.evict(id);
    this.init = { init: verified.init.slice(), sha256: verified.sha256, record: record.encoded,
      signature: toBytes(signature).slice() };
    return PartResult.STORED;
  }

  addHeader(header, signature) {
    const id = header.partId;
    const operation = this.verifyAndAddHeader(header, signature);
    if (!this.pending.has(id)) {
      this.pending.set(id, operation);
      const done = () => {
        if (this.pending.get(id) === operation) this.pending.delete(id);
      };
      operation.then(done, done);
    }
    return operation;
  }

  async verifyAndAddHeader(header, signature) {
    if (!this.init) return PartResult.WRONG_INIT; // the init comes first on every link: nothing to play it against
    try {
      await verifyPartHeader(this.publicKey, header, signature, this.expectedStream, this.init.sha256);
    } catch (e) {
      return e.code === 'wrong-init' ? PartResult.WRONG_INIT : PartResult.REJECTED;
    }
    const existing = this.parts.get(header.partId);
    if (existing) {
      return bytesEqual(existing.header.encoded, header.encoded) ? PartResult.DUPLICATE : PartResult.REJECTED;
    }
    if (header.partId < this.floor) return PartResult.TOO_OLD;
    const part = new HeldPart(header, toBytes(signature).slice(), this.now());
    this.insert(part);
    return this.parts.get(header.partId) === part ? PartResult.STORED : PartResult.TOO_OLD;
  }

  async addChunk(partId, index, bytes) {
    let part = this.parts.get(partId);
    if (!part && this.pending.has(partId)) {
      await this.pending.get(partId).catch(() => null);
      part = this.parts.get(partId);
    }
    if (!part) return PartResult.UNKNOWN;
    if (part.have[index]) return PartResult.DUPLICATE;
    try {
      await verifyPartChunk(part.header, index, bytes);
    } catch (e) {
      return PartResult.REJECTED;
    }
    if (this.parts.get(partId) !== part) return PartResult.UNKNOWN; // evicted while hashing
    if (part.have[index]) return PartResult.DUPLICATE;
    part.data.set(toBytes(bytes), index * part.header.chunkSize);
    part.have[index] = 1;
    part.received++;
    if (part.complete()) {
      part.completeAtMillis = this.now();
      this.lags.push(part.completeAtMillis - part.header.producedAtMillis);
      if (this.lags.length > LAGS_KEPT) this.lags.shift();
      const waiting = this.waiters.get(partId);
      this.waiters.delete(partId);
      if (waiting) for (const resolve of waiting) resolve();
    }
    return PartResult.STORED;
  }

  /** The init segment's bytes (a copy: MSE may detach what it is given), or null. */
  initBytes() {
    return this.init ? this.init.init.slice() : null;
  }

  /** A copy of part `id` once complete, else null. */
  partBytes(id) {
    const part = this.parts.get(id);
    return part && part.complete() ? part.data.slice() : null;
  }

  /** The verified header of part `id`, or null. */
  header(id) {
    const part = this.parts.get(id);
    return part ? part.header : null;
  }

  /** Held part ids, ascending. */
  ids() {
    return this.order.slice();
  }

  /** Missing chunk indexes of a held part (empty when complete or not held). */
  missingChunks(id) {
    const part = this.parts.get(id);
    const missing = [];
    if (part) for (let i = 0; i < part.have.length; i++) if (!part.have[i]) missing.push(i);
    return missing;
  }

  status(id) {
    const p = this.parts.get(id);
    return p ? { partId: id, complete: p.complete(), headerAtMillis: p.headerAtMillis,
      completeAtMillis: p.completeAtMillis, producedAtMillis: p.header.producedAtMillis } : null;
  }

  /**
   * Part `id`'s bytes as soon as it completes here, or null after `ms` or once `signal` aborts (the loader then
   * fetches it over HTTP).
   */
  waitForPart(id, ms, signal = null) {
    const now = this.partBytes(id);
    if (now || ms <= 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      let timer = null;
      const list = this.waiters.get(id) || [];
      const finish = () => {
        clearTimeout(timer);
        const left = (this.waiters.get(id) || []).filter((w) => w !== done);
        if (left.length > 0) this.waiters.set(id, left); else this.waiters.delete(id);
        if (signal) signal.removeEventListener('abort', finish);
        resolve(this.partBytes(id));
      };
      const done = finish;
      list.push(done);
      this.waiters.set(id, list);
      timer = setTimeout(finish, ms);
      if (signal) {
        if (signal.aborted) finish(); else signal.addEventListener('abort', finish);
      }
    });
  }

  /**
   * The frames a child that just asked gets at once (Java's PartLedger.backlog): the init, then every held part
   * from the start of the segment before the newest segment start, header then chunks.
   */
  backlog() {
    if (!this.init) return [];
    const frames = [encodeSignedPartFrame(PartFrameType.INIT, this.init.record, this.init.signature)];
    const starts = this.order.filter((id) => this.parts.get(id).header.index === 0);
    const from = starts.length === 0 ? Infinity : starts[Math.max(0, starts.length - 2)];
    for (const id of this.order) {
      if (id < from) continue;
      const part = this.parts.get(id);
      frames.push(encodeSignedPartFrame(PartFrameType.PART_HEADER, part.header.encoded, part.signature));
      for (let i = 0; i < part.have.length; i++) {
        if (!part.have[i]) continue;
        const offset = i * part.header.chunkSize;
        const length = Math.min(part.header.chunkSize, part.header.byteLength - offset);
        frames.push(encodePartChunkFrame(id, i, part.data.subarray(offset, offset + length)));
      }
    }
    return frames;
  }

  /** Bytes per second of the stream, from the newest held part (0 before any): the children's flow control. */
  bytesPerSecond() {
    const id = this.order[this.order.length - 1];
    const h = id === undefined ? null : this.parts.get(id).header;
    return h ? h.byteLength * 1e6 / h.durationMicros : 0;
  }

  insert(part) {
    const id = part.header.partId;
    this.parts.set(id, part);
    let at = this.order.length;
    while (at > 0 && this.order[at - 1] > id) at--;
    this.order.splice(at, 0, id);
    this.heldMicros += part.header.durationMicros;
    while (this.order.length > 1 && this.heldMicros > this.windowMicros) {
      const oldest = this.order[0];
      this.evict(oldest);
      this.floor = Math.max(this.floor, oldest + 1);
    }
  }

  evict(id) {
    const part = this.parts.get(id);
    if (!part) return;
    this.parts.delete(id);
    this.order.splice(this.order.indexOf(id), 1);
    this.heldMicros -= part.header.durationMicros;
  }
}

// LL-HLS parts as the tree carries them (docs/protocol.md "Part header (format version 2, LL-HLS)"), parsed
// exactly as Java's PartHeader, SignedInit and PartFrame: the part header and the init record (version 2, a kind
// byte, so neither can pass for a segment header or for the other), the frames PART_HEADER (5), PART_CHUNK (6)
// and INIT (7), and their WebCrypto checks. A page asks its parent for them with the CONTROL frame
// {"type":"parts"} (ASK_PARTS).

import { bytesEqual, readSafeU64, strictUtf8, strictUtf8Encode, toBytes } from './bytes.js';
import { FrameError, FRAME_VERSION, MAX_FRAME_BYTES, SIGNATURE_BYTES, encodeControlFrame } from './frames.js';
import { HASH_BYTES, MAX_BYTE_LENGTH, MAX_CHUNK_COUNT, MAX_CHUNK_SIZE, MAX_STREAM_BYTES } from './header.js';
import { VerificationError, sha256 } from './verify.js';

export const PART_FORMAT_VERSION = 2;
export const KIND_PART = 1;
export const KIND_INIT = 2;
export const PartFrameType = Object.freeze({ PART_HEADER: 5, PART_CHUNK: 6, INIT: 7 });
export const MAX_DURATION_MICROS = 60000000;
/** An init segment is a ftyp and a moov of a few KB; this keeps its record inside one frame (SignedInit). */
export const MAX_INIT_BYTES = 60000;
const FLAG_INDEPENDENT = 1;
// version, kind, stream length, part id, msn, index, duration, flags, init hash, produced at, byte length,
// chunk size, count
const FIXED_BYTES = 1 + 1 + 2 + 8 + 8 + 2 + 4 + 1 + HASH_BYTES + 8 + 4 + 4 + 2;
export const MAX_PART_HEADER_BYTES = FIXED_BYTES + MAX_STREAM_BYTES + MAX_CHUNK_COUNT * HASH_BYTES;

/** A Java relay's ask for parts (TreeParts.ASK): parts and the classic segments. */
export const ASK_PARTS = encodeControlFrame('{"type":"parts"}');

/**
 * What an LL page sends up its link to get parts; `segments` false: parts only (it has no child that plays the
 * classic segments), so its parent does not send it the stream twice. Asked again to change that.
 */
export function askForParts(segments) {
  return encodeControlFrame(JSON.stringify({ type: 'parts', segments: !!segments }));
}

/** Whether a decoded CONTROL frame is a child's ask for parts. */
export function isAskForParts(frame) {
  return frame.type === 'control' && !!frame.value && frame.value.type === 'parts';
}

/** Whether an ask for parts also wants the classic segments: all but `"segments": false`. */
export function asksSegments(frame) {
  return frame.value.segments !== false;
}

class Reader {
  constructor(bytes, what) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = 0;
    this.what = what;
  }

  need(n) {
    if (this.at + n > this.bytes.length) throw new FrameError('bad-header', this.what + ' truncated at byte ' + this.at);
    const start = this.at;
    this.at += n;
    return start;
  }

  u8() { return this.view.getUint8(this.need(1)); }
  u16() { return this.view.getUint16(this.need(2)); }
  u32() { return this.view.getUint32(this.need(4)); }

  u64(name) {
    const v = readSafeU64(this.view, this.need(8));
    if (v === null) throw new FrameError('bad-header', name + ' must be 0..2^53-1');
    return v;
  }

  take(n) {
    const start = this.need(n);
    return this.bytes.subarray(start, start + n);
  }

  stream() {
    const n = this.u16();
    if (n === 0 || n > MAX_STREAM_BYTES) throw new FrameError('bad-header', 'stream must be 1..64 UTF-8 bytes');
    const name = strictUtf8(this.take(n));
    if (name === null) throw new FrameError('bad-header', 'stream is not valid UTF-8');
    return name;
  }

  versionAndKind(kind) {
    const version = this.u8();
    const got = this.u8();
    if (version !== PART_FORMAT_VERSION || got !== kind) {
      throw new FrameError('bad-header', 'not a ' + this.what + ' (version ' + version + ', kind ' + got + ')');
    }
  }
}

/**
 * @typedef {Object} PartHeader
 * @property {string} stream
 * @property {number} partId  numbers parts across the stream (part-<id>.m4s)
 * @property {number} msn     its segment's media sequence number
 * @property {number} index   its place in that segment
 * @property {number} durationMicros
 * @property {boolean} independent
 * @property {Uint8Array} initSha256
 * @property {number} producedAtMillis
 * @property {number} byteLength
 * @property {number} chunkSize
 * @property {number} chunkCount
 * @property {Uint8Array[]} chunkHashes
 * @property {Uint8Array} encoded  a private copy of the signed bytes
 */

/** Parses part header bytes (kind 1); throws FrameError('bad-header') on anything Java's PartHeader refuses. */
export function parsePartHeader(data) {
  const bytes = toBytes(data).slice();
  if (bytes.length > MAX_PART_HEADER_BYTES) throw new FrameError('bad-header', 'part header too long');
  const r = new Reader(bytes, 'part header');
  r.versionAndKind(KIND_PART);
  const stream = r.stream();
  const partId = r.u64('partId');
  const msn = r.u64('msn');
  const index = r.u16();
  const durationMicros = r.u32();
  const flags = r.u8();
  const initSha256 = r.take(HASH_BYTES);
  const producedAtMillis = r.u64('producedAtMillis');
  const byteLength = r.u32();
  const chunkSize = r.u32();
  const count = r.u16();
  if ((flags & ~FLAG_INDEPENDENT) !== 0) throw new FrameError('bad-header', 'unknown part flags ' + flags);
  if (durationMicros < 1 || durationMicros > MAX_DURATION_MICROS) {
    throw new FrameError('bad-header', 'durationMicros must be 1..' + MAX_DURATION_MICROS);
  }
  if (byteLength < 1 || byteLength > MAX_BYTE_LENGTH) throw new FrameError('bad-header', 'bad byteLength ' + byteLength);
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new FrameError('bad-header', 'bad chunkSize ' + chunkSize);
  const expected = Math.ceil(byteLength / chunkSize);
  if (expected > MAX_CHUNK_COUNT || count !== expected) {
    throw new FrameError('bad-header', 'expected ' + expected + ' chunk hashes, got ' + count);
  }
  if (bytes.length - r.at !== count * HASH_BYTES) {
    throw new FrameError('bad-header', 'part header declares ' + count + ' hashes but ' + (bytes.length - r.at)
        + ' bytes follow');
  }
  const chunkHashes = [];
  for (let i = 0; i < count; i++) chunkHashes.push(r.take(HASH_BYTES));
  return Object.freeze({ stream, partId, msn, index, durationMicros, independent: (flags & FLAG_INDEPENDENT) !== 0,
    initSha256, producedAtMillis, byteLength, chunkSize, chunkCount: count, chunkHashes: Object.freeze(chunkHashes),
    encoded: bytes });
}

/** Parses an init record (kind 2): {stream, init, encoded}. */
export function parseInitRecord(data) {
  const bytes = toBytes(data).slice();
  const r = new Reader(bytes, 'init record');
  r.versionAndKind(KIND_INIT);
  const stream = r.stream();
  const length = r.u32();
  if (length !== bytes.length - r.at) {
    throw new FrameError('bad-header', 'init record declares ' + length + ' bytes but ' + (bytes.length - r.at)
        + ' follow');
  }
  if (length < 1 || length > MAX_INIT_BYTES) throw new FrameError('bad-header', 'an init segment is 1..' + MAX_INIT_BYTES + ' bytes');
  return Object.freeze({ stream, init: r.take(length), encoded: bytes });
}

/**
 * Decodes a part frame (types 5–7), or returns null for any other message (frames.js decodes those).
 * Throws FrameError with Java's codes. A chunk's payload is a view into the message.
 * @returns {null|{type: 'part-header', header: PartHeader, signature: Uint8Array}|
 *          {type: 'part-chunk', partId: number, index: number, payload: Uint8Array}|
 *          {type: 'init', record: {stream: string, init: Uint8Array, encoded: Uint8Array}, signature: Uint8Array}}
 */
export function decodePartFrame(message) {
  const bytes = toBytes(message);
  if (bytes.length < 2 || bytes[0] !== FRAME_VERSION || bytes[1] < PartFrameType.PART_HEADER
      || bytes[1] > PartFrameType.INIT) {
    return null;
  }
  if (bytes.length > MAX_FRAME_BYTES) throw new FrameError('oversized', 'message of ' + bytes.length + ' bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[1] === PartFrameType.PART_CHUNK) {
    if (bytes.length < 13) throw new FrameError('truncated', 'part chunk of ' + bytes.length + ' bytes');
    const partId = readSafeU64(view, 2);
    if (partId === null) throw new FrameError('bad-value', 'part id over 2^53-1');
    return { type: 'part-chunk', partId, index: view.getUint16(10), payload: bytes.subarray(12) };
  }
  if (bytes.length < 6) throw new FrameError('truncated', 'no length');
  const length = view.getUint32(2);
  const remaining = bytes.length - 6;
  if (remaining !== length + SIGNATURE_BYTES) {
    throw new FrameError(remaining < length + SIGNATURE_BYTES ? 'truncated' : 'trailing-bytes',
      'body of ' + length + ' bytes and a signature, but ' + remaining + ' bytes follow');
  }
  const body = bytes.subarray(6, 6 + length);
  const signature = bytes.slice(6 + length);
  return bytes[1] === PartFrameType.PART_HEADER
    ? { type: 'part-header', header: parsePartHeader(body), signature }
    : { type: 'init', record: parseInitRecord(body), signature };
}

/** PART_HEADER / INIT frame bytes for signed body bytes (a parent's backlog, tests). */
export function encodeSignedPartFrame(type, body, signature) {
  const b = toBytes(body);
  const out = new Uint8Array(6 + b.length + SIGNATURE_BYTES);
  out[0] = FRAME_VERSION;
  out[1] = type;
  new DataView(out.buffer).setUint32(2, b.length);
  out.set(b, 6);
  out.set(toBytes(signature), 6 + b.length);
  return out;
}

export function encodePartChunkFrame(partId, index, payload) {
  const p = toBytes(payload);
  const out = new Uint8Array(12 + p.length);
  out[0] = FRAME_VERSION;
  out[1] = PartFrameType.PART_CHUNK;
  const view = new DataView(out.buffer);
  view.setBigUint64(2, BigInt(partId));
  view.setUint16(10, index);
  out.set(p, 12);
  return out;
}

/** Canonical part header bytes (tests and tools: browsers never sign); the inverse of parsePartHeader. */
export function encodePartHeader(h) {
  const stream = strictUtf8Encode(h.stream);
  const out = new Uint8Array(FIXED_BYTES + stream.length + h.chunkHashes.length * HASH_BYTES);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint8(at++, PART_FORMAT_VERSION);
  view.setUint8(at++, KIND_PART);
  view.setUint16(at, stream.length); at += 2;
  out.set(stream, at); at += stream.length;
  view.setBigUint64(at, BigInt(h.partId)); at += 8;
  view.setBigUint64(at, BigInt(h.msn)); at += 8;
  view.setUint16(at, h.index); at += 2;
  view.setUint32(at, h.durationMicros); at += 4;
  view.setUint8(at++, h.independent ? FLAG_INDEPENDENT : 0);
  out.set(h.initSha256, at); at += HASH_BYTES;
  view.setBigUint64(at, BigInt(h.producedAtMillis)); at += 8;
  view.setUint32(at, h.byteLength); at += 4;
  view.setUint32(at, h.chunkSize); at += 4;
  view.setUint16(at, h.chunkHashes.length); at += 2;
  for (const hash of h.chunkHashes) { out.set(hash, at); at += HASH_BYTES; }
  parsePartHeader(out);
  return out;
}

/** Canonical init record bytes (tests and tools). */
export function encodeInitRecord(stream, init) {
  const name = strictUtf8Encode(stream);
  const out = new Uint8Array(4 + name.length + 4 + init.length);
  const view = new DataView(out.buffer);
  out[0] = PART_FORMAT_VERSION;
  out[1] = KIND_INIT;
  view.setUint16(2, name.length);
  out.set(name, 4);
  view.setUint32(4 + name.length, init.length);
  out.set(init, 8 + name.length);
  return out;
}

async function signatureHolds(key, signature, bytes) {
  const sig = toBytes(signature);
  if (sig.length !== SIGNATURE_BYTES) return false;
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, bytes);
  } catch (e) {
    return false; // an algorithm WebCrypto lacks: never treat as verified
  }
}

/** Checks an init record's signature and stream; resolves to {stream, init, sha256}. */
export async function verifyInit(key, record, signature, expectedStream) {
  if (!(await signatureHolds(key, signature, record.encoded))) {
    throw new VerificationError('bad-signature', 'bad signature on the init record');
  }
  if (expectedStream != null && record.stream !== expectedStream) {
    throw new VerificationError('wrong-stream', "init is for stream '" + record.stream + "'");
  }
  return { stream: record.stream, init: record.init, sha256: await sha256(record.init) };
}

/**
 * Checks a part header's signature and stream, and that it plays against `initSha256` (the init held). A
 * well-signed part for another init is 'wrong-init': dropped, not reported (the origin may have restarted its
 * encoder).
 */
export async function verifyPartHeader(key, header, signature, expectedStream, initSha256) {
  if (!(await signatureHolds(key, signature, header.encoded))) {
    throw new VerificationError('bad-signature', 'bad signature on the header of part ' + header.partId);
  }
  if (expectedStream != null && header.stream !== expectedStream) {
    throw new VerificationError('wrong-stream', "part is for stream '" + header.stream + "'");
  }
  if (!initSha256 || !bytesEqual(header.initSha256, initSha256)) {
    throw new VerificationError('wrong-init', 'part ' + header.partId + ' plays against another init segment');
  }
  return header;
}

/** Checks chunk `index` of a verified part header: range, exact length and SHA-256. */
export async function verifyPartChunk(header, index, bytes) {
  if (!Number.isInteger(index) || index < 0 || index >= header.chunkCount) {
    throw new VerificationError('bad-index', 'chunk ' + index + ' of part ' + header.partId);
  }
  const data = toBytes(bytes);
  const expected = Math.min(header.chunkSize, header.byteLength - index * header.chunkSize);
  if (data.length !== expected) {
    throw new VerificationError('bad-length', 'chunk ' + index + ' of part ' + header.partId + ' has ' + data.length
        + ' bytes, expected ' + expected);
  }
  if (!bytesEqual(await sha256(data), header.chunkHashes[index])) {
    throw new VerificationError('bad-hash', 'chunk ' + index + ' of part ' + header.partId + ' does not match its SHA-256');
  }
}

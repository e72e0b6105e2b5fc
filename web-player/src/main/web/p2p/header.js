// The signed segment header (format version 1, docs/protocol.md "Data-plane formats" §1), parsed exactly as
// Java's SegmentHeader.decode: one valid encoding per header, so the bytes a signature covers and the header
// a node acts on can never disagree.

import { readSafeU64, strictUtf8, strictUtf8Encode, toBytes } from './bytes.js';

export const FORMAT_VERSION = 1;
export const MAX_CHUNK_SIZE = 65536;
export const MAX_STREAM_BYTES = 64;
export const MAX_BYTE_LENGTH = 64 * 1024 * 1024;
/** Keeps a signed header inside one 64 KiB DataChannel message. */
export const MAX_CHUNK_COUNT = 1024;
export const MAX_DURATION_MILLIS = 60000;
export const HASH_BYTES = 32;
const FLAG_DISCONTINUITY = 1;
// version, stream length, sequence, duration, byte length, chunk size, produced at, flags, disc. seq., count
const FIXED_BYTES = 1 + 2 + 8 + 4 + 4 + 4 + 8 + 1 + 8 + 2;
export const MAX_ENCODED_BYTES = FIXED_BYTES + MAX_STREAM_BYTES + MAX_CHUNK_COUNT * HASH_BYTES;

/** Bytes that are not a header. Frames report it as "bad-header"; the message is for people. */
export class HeaderFormatError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HeaderFormatError';
    this.code = 'bad-header';
  }
}

/** ceil(byteLength / chunkSize): the only chunk count a header may carry. */
export function chunkCountFor(byteLength, chunkSize) {
  return Math.ceil(byteLength / chunkSize);
}

/**
 * @typedef {Object} SegmentHeader
 * @property {string} stream
 * @property {number} sequence
 * @property {number} durationMillis
 * @property {number} byteLength
 * @property {number} chunkSize
 * @property {number} producedAtMillis
 * @property {boolean} discontinuity
 * @property {number} discontinuitySequence
 * @property {number} chunkCount
 * @property {Uint8Array[]} chunkHashes  32-byte views into a private copy of the header bytes
 * @property {Uint8Array} encoded        a private copy of the canonical bytes (what the signature covers)
 */

/**
 * Parses canonical header bytes; throws HeaderFormatError on anything Java would reject. The input is copied,
 * so a caller reusing its buffer cannot change a header after it was checked.
 * @param {ArrayBuffer|ArrayBufferView} data
 * @returns {SegmentHeader}
 */
export function parseHeader(data) {
  const bytes = toBytes(data).slice();
  if (bytes.length > MAX_ENCODED_BYTES) {
    throw new HeaderFormatError('header must be at most ' + MAX_ENCODED_BYTES + ' bytes');
  }
  const view = new DataView(bytes.buffer);
  let at = 0;
  /** Java reads field by field and fails on the first underflow: same here, so truncation always wins. */
  const need = (n) => {
    if (at + n > bytes.length) {
      throw new HeaderFormatError('header truncated at byte ' + at + ' of ' + bytes.length);
    }
    const start = at;
    at += n;
    return start;
  };
  const version = view.getUint8(need(1));
  if (version !== FORMAT_VERSION) throw new HeaderFormatError('unknown header version ' + version);
  const streamLength = view.getUint16(need(2));
  if (streamLength > MAX_STREAM_BYTES) {
    throw new HeaderFormatError('stream name of ' + streamLength + ' bytes, limit ' + MAX_STREAM_BYTES);
  }
  const streamStart = need(streamLength);
  const stream = strictUtf8(bytes.subarray(streamStart, streamStart + streamLength));
  if (stream === null) throw new HeaderFormatError('stream is not valid UTF-8');
  const sequence = readSafeU64(view, need(8));
  const durationMillis = view.getUint32(need(4));
  const byteLength = view.getUint32(need(4));
  const chunkSize = view.getUint32(need(4));
  const producedAtMillis = readSafeU64(view, need(8));
  const flags = view.getUint8(need(1));
  if ((flags & ~FLAG_DISCONTINUITY) !== 0) {
    throw new HeaderFormatError('unknown header flags 0x' + flags.toString(16));
  }
  const discontinuitySequence = readSafeU64(view, need(8));
  const count = view.getUint16(need(2));
  if (count > MAX_CHUNK_COUNT) throw new HeaderFormatError(count + ' chunk hashes, limit ' + MAX_CHUNK_COUNT);
  if (bytes.length - at !== count * HASH_BYTES) {
    throw new HeaderFormatError('header declares ' + count + ' hashes (' + count * HASH_BYTES + ' bytes) but '
        + (bytes.length - at) + ' bytes follow');
  }
  const chunkHashes = [];
  for (let i = 0; i < count; i++) chunkHashes.push(bytes.subarray(at + i * HASH_BYTES, at + (i + 1) * HASH_BYTES));

  // The value rules, in the order of Java's SegmentHeader constructor.
  if (streamLength === 0) throw new HeaderFormatError('stream must be 1..' + MAX_STREAM_BYTES + ' UTF-8 bytes, got 0');
  if (sequence === null) throw new HeaderFormatError('sequence must be 0..2^53-1');
  if (producedAtMillis === null) throw new HeaderFormatError('producedAtMillis must be 0..2^53-1');
  if (discontinuitySequence === null) throw new HeaderFormatError('discontinuitySequence must be 0..2^53-1');
  if (durationMillis < 1 || durationMillis > MAX_DURATION_MILLIS) {
    throw new HeaderFormatError('durationMillis must be 1..' + MAX_DURATION_MILLIS + ', got ' + durationMillis);
  }
  if (byteLength < 1 || byteLength > MAX_BYTE_LENGTH) {
    throw new HeaderFormatError('byteLength must be 1..' + MAX_BYTE_LENGTH + ', got ' + byteLength);
  }
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new HeaderFormatError('chunkSize must be 1..' + MAX_CHUNK_SIZE + ', got ' + chunkSize);
  }
  const discontinuity = (flags & FLAG_DISCONTINUITY) !== 0;
  if (discontinuity && discontinuitySequence < 1) {
    // A segment's own number counts the tag in front of it, so a flagged segment is at least number 1.
    throw new HeaderFormatError('a discontinuity segment needs discontinuitySequence >= 1');
  }
  const expected = chunkCountFor(byteLength, chunkSize);
  if (expected > MAX_CHUNK_COUNT) {
    throw new HeaderFormatError('a segment of ' + byteLength + ' bytes in chunks of ' + chunkSize + ' needs '
        + expected + ' chunks, more than ' + MAX_CHUNK_COUNT);
  }
  if (count !== expected) {
    throw new HeaderFormatError('expected ' + expected + ' chunk hashes for ' + byteLength + ' bytes in chunks of '
        + chunkSize + ', got ' + count);
  }
  return Object.freeze({
    stream, sequence, durationMillis, byteLength, chunkSize, producedAtMillis, discontinuity,
    discontinuitySequence, chunkCount: count, chunkHashes: Object.freeze(chunkHashes), encoded: bytes,
  });
}

/** Byte offset of chunk `index` in the segment. */
export function chunkOffset(header, index) {
  checkIndex(header, index);
  return index * header.chunkSize;
}

/** chunkSize, except the last chunk, which holds what is left. */
export function chunkLength(header, index) {
  checkIndex(header, index);
  return Math.min(header.chunkSize, header.byteLength - index * header.chunkSize);
}

function checkIndex(header, index) {
  if (!Number.isInteger(index) || index < 0 || index >= header.chunkCount) {
    throw new RangeError('chunk ' + index + ' of ' + header.chunkCount);
  }
}

/**
 * Canonical bytes for header fields (the inverse of parseHeader). Browsers never sign, so this exists for
 * tests and tools; it validates by parsing what it wrote.
 * @param {Omit<SegmentHeader, 'chunkCount'|'encoded'>} h
 * @returns {Uint8Array}
 */
export function encodeHeader(h) {
  const stream = strictUtf8Encode(h.stream);
  if (stream === null) throw new HeaderFormatError('stream is not valid Unicode');
  const hashes = h.chunkHashes;
  const out = new Uint8Array(FIXED_BYTES + stream.length + hashes.length * HASH_BYTES);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint8(at, FORMAT_VERSION); at += 1;
  view.setUint16(at, stream.length & 0xFFFF); at += 2;
  out.set(stream, at); at += stream.length;
  view.setBigUint64(at, BigInt(h.sequence)); at += 8;
  view.setUint32(at, h.durationMillis); at += 4;
  view.setUint32(at, h.byteLength); at += 4;
  view.setUint32(at, h.chunkSize); at += 4;
  view.setBigUint64(at, BigInt(h.producedAtMillis)); at += 8;
  view.setUint8(at, h.discontinuity ? FLAG_DISCONTINUITY : 0); at += 1;
  view.setBigUint64(at, BigInt(h.discontinuitySequence)); at += 8;
  view.setUint16(at, hashes.length & 0xFFFF); at += 2;
  for (const hash of hashes) {
    if (hash.length !== HASH_BYTES) throw new HeaderFormatError('every chunk hash must be ' + HASH_BYTES + ' bytes');
    out.set(hash, at); at += HASH_BYTES;
  }
  parseHeader(out);
  return out;
}

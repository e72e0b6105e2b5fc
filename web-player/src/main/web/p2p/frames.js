// DataChannel frames (format version 1, docs/protocol.md "Data-plane formats" §2), byte for byte as Java's
// FrameCodec: byte 0 the version, byte 1 the type, then the body, big-endian. Decoding is strict and fails
// with a FrameError whose code is the one Java uses, so browsers and relays count rejections alike.

import { readSafeU64, strictUtf8, strictUtf8Encode, toBytes } from './bytes.js';
import { HeaderFormatError, MAX_CHUNK_SIZE, MAX_ENCODED_BYTES, parseHeader } from './header.js';
import { parseStrictObject } from './json.js';

export const FRAME_VERSION = 1;
/** The largest message: a full CHUNK frame (12 + 65536 bytes) fits, with room to spare. */
export const MAX_FRAME_BYTES = 65536 + 16;
export const MAX_CHUNK_PAYLOAD = MAX_CHUNK_SIZE;
export const MAX_CONTROL_BYTES = 4096;
export const SIGNATURE_BYTES = 64;
export const FrameType = Object.freeze({ HEADER: 1, CHUNK: 2, WINDOW: 3, CONTROL: 4 });

const PREFIX = 2;
const CHUNK_PREFIX = PREFIX + 8 + 2;
const WINDOW_BYTES = PREFIX + 8 + 8;

/**
 * A frame that breaks the format. `code` is short and stable ("truncated", "unknown-type", "oversized", …):
 * a receiver drops the frame, counts it by code and keeps the channel.
 */
export class FrameError extends Error {
  constructor(code, message) {
    super(code + ': ' + message);
    this.name = 'FrameError';
    this.code = code;
  }
}

/**
 * @typedef {{type: 'header', header: import('./header.js').SegmentHeader, headerBytes: Uint8Array,
 *            signature: Uint8Array}} HeaderFrame  not verified: verify.js / the store do that
 * @typedef {{type: 'chunk', sequence: number, index: number, payload: Uint8Array}} ChunkFrame
 * @typedef {{type: 'window', firstSequence: number, lastSequence: number}} WindowFrame
 * @typedef {{type: 'control', json: string, value: Object}} ControlFrame
 * @typedef {HeaderFrame|ChunkFrame|WindowFrame|ControlFrame} Frame
 */

/**
 * Decodes one DataChannel message. Throws only FrameError, whatever the input. A chunk's payload is a view
 * into the message (no copy: the store copies what it keeps).
 * @param {ArrayBuffer|ArrayBufferView} message
 * @returns {Frame}
 */
export function decodeFrame(message) {
  if (message == null) throw new FrameError('empty', 'no frame');
  let bytes;
  try {
    bytes = toBytes(message);
  } catch (e) {
    throw new FrameError('malformed', e.message);
  }
  try {
    return decodeChecked(bytes);
  } catch (e) {
    if (e instanceof FrameError) throw e;
    // Whatever slipped past the checks is still a bad frame, as in Java: a node survives any bytes.
    throw new FrameError('malformed', String(e && e.message));
  }
}

function decodeChecked(bytes) {
  const length = bytes.length;
  if (length === 0) throw new FrameError('empty', 'empty message');
  if (length > MAX_FRAME_BYTES) {
    throw new FrameError('oversized', 'message of ' + length + ' bytes, limit ' + MAX_FRAME_BYTES);
  }
  if (length < PREFIX) throw new FrameError('truncated', 'message of 1 byte');
  if (bytes[0] !== FRAME_VERSION) throw new FrameError('unknown-version', 'frame version ' + bytes[0]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (bytes[1]) {
    case FrameType.HEADER: return decodeHeader(bytes, view);
    case FrameType.CHUNK: return decodeChunk(bytes, view);
    case FrameType.WINDOW: return decodeWindow(bytes, view);
    case FrameType.CONTROL: return decodeControl(bytes);
    default: throw new FrameError('unknown-type', 'frame type ' + bytes[1]);
  }
}

function decodeHeader(bytes, view) {
  need(bytes, PREFIX + 4, 'header length');
  const headerLength = view.getUint32(PREFIX);
  if (headerLength > MAX_ENCODED_BYTES) {
    throw new FrameError('bad-length', 'header length ' + headerLength + ', limit ' + MAX_ENCODED_BYTES);
  }
  const start = PREFIX + 4;
  const remaining = bytes.length - start;
  const expected = headerLength + SIGNATURE_BYTES;
  if (remaining < expected) {
    throw new FrameError('truncated', 'header frame needs ' + expected + ' more bytes, has ' + remaining);
  }
  if (remaining > expected) throw new FrameError('trailing-bytes', (remaining - expected) + ' bytes after the signature');
  let header;
  try {
    header = parseHeader(bytes.subarray(start, start + headerLength));
  } catch (e) {
    if (e instanceof HeaderFormatError) throw new FrameError('bad-header', e.message);
    throw e;
  }
  return {
    type: 'header',
    header,
    headerBytes: header.encoded,
    signature: bytes.slice(start + headerLength, start + expected),
  };
}

function decodeChunk(bytes, view) {
  need(bytes, CHUNK_PREFIX, 'chunk sequence and index');
  const sequence = readSafeU64(view, PREFIX);
  const index = view.getUint16(PREFIX + 8);
  const payloadLength = bytes.length - CHUNK_PREFIX;
  // Java checks the payload before the sequence: keep that order so both report the same code.
  if (payloadLength === 0) throw new FrameError('empty-chunk', 'chunk ' + index + ' has no payload');
  if (payloadLength > MAX_CHUNK_PAYLOAD) {
    throw new FrameError('oversized', 'chunk of ' + payloadLength + ' bytes, limit ' + MAX_CHUNK_PAYLOAD);
  }
  checkSequence(sequence);
  return { type: 'chunk', sequence, index, payload: bytes.subarray(CHUNK_PREFIX) };
}

function decodeWindow(bytes, view) {
  need(bytes, WINDOW_BYTES, 'window');
  if (bytes.length > WINDOW_BYTES) {
    throw new FrameError('trailing-bytes', (bytes.length - WINDOW_BYTES) + ' bytes after the window');
  }
  return checkWindow(readSafeU64(view, PREFIX), readSafeU64(view, PREFIX + 8));
}

function decodeControl(bytes) {
  const body = bytes.subarray(PREFIX);
  if (body.length > MAX_CONTROL_BYTES) {
    throw new FrameError('oversized', 'control body of ' + body.length + ' bytes, limit ' + MAX_CONTROL_BYTES);
  }
  const json = strictUtf8(body);
  if (json === null) throw new FrameError('bad-utf8', 'control body is not valid UTF-8');
  return controlFrame(json);
}

function controlFrame(json) {
  const value = parseStrictObject(json);
  if (value === null) throw new FrameError('bad-json', 'control body must be one JSON object');
  return { type: 'control', json, value };
}

function checkWindow(first, last) {
  checkSequence(first);
  checkSequence(last);
  if (first > last) throw new FrameError('bad-window', 'first sequence ' + first + ' after last ' + last);
  return { type: 'window', firstSequence: first, lastSequence: last };
}

/** `null` is what readSafeU64 returns above 2^53 − 1. */
function checkSequence(sequence) {
  if (sequence === null || !Number.isSafeInteger(sequence) || sequence < 0) {
    throw new FrameError('bad-value', 'sequence ' + sequence + ' is outside 0..2^53-1');
  }
}

function need(bytes, total, what) {
  if (bytes.length < total) {
    throw new FrameError('truncated', what + ' needs ' + (total - PREFIX) + ' bytes, has ' + (bytes.length - PREFIX));
  }
}

/**
 * Encodes a frame into a fresh Uint8Array of exactly its size (DataChannel.send takes it as is). Checks what
 * Java's Frame constructors check, with the same codes, so a node never sends what it would reject.
 * @param {Frame|{type: 'header', headerBytes: Uint8Array, signature: Uint8Array}|
 *         {type: 'control', json?: string, value?: Object}} frame
 * @returns {Uint8Array}
 */
export function encodeFrame(frame) {
  switch (frame && frame.type) {
    case 'header': return encodeHeaderFrame(frame.headerBytes, frame.signature);
    case 'chunk': return encodeChunkFrame(frame.sequence, frame.index, frame.payload);
    case 'window': return encodeWindowFrame(frame.firstSequence, frame.lastSequence);
    case 'control': return encodeControlFrame(frame.json !== undefined ? frame.json : JSON.stringify(frame.value));
    default: throw new TypeError('unknown frame ' + (frame && frame.type));
  }
}

export function encodeHeaderFrame(headerBytes, signature) {
  const header = toBytes(headerBytes);
  const sig = toBytes(signature);
  try {
    parseHeader(header);
  } catch (e) {
    throw new FrameError('bad-header', e.message);
  }
  if (sig.length !== SIGNATURE_BYTES) throw new FrameError('bad-header', 'an Ed25519 signature is 64 bytes');
  const out = start(FrameType.HEADER, 4 + header.length + SIGNATURE_BYTES);
  new DataView(out.buffer).setUint32(PREFIX, header.length);
  out.set(header, PREFIX + 4);
  out.set(sig, PREFIX + 4 + header.length);
  return out;
}

export function encodeChunkFrame(sequence, index, payload) {
  checkSequence(sequence);
  if (!Number.isInteger(index) || index < 0 || index > 0xFFFF) {
    throw new FrameError('bad-value', 'chunk index ' + index + ' is not a u16');
  }
  const bytes = payload == null ? new Uint8Array(0) : toBytes(payload);
  if (bytes.length === 0) throw new FrameError('empty-chunk', 'a chunk carries at least one byte');
  if (bytes.length > MAX_CHUNK_PAYLOAD) {
    throw new FrameError('oversized', 'chunk of ' + bytes.length + ' bytes, limit ' + MAX_CHUNK_PAYLOAD);
  }
  const out = start(FrameType.CHUNK, 8 + 2 + bytes.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(PREFIX, BigInt(sequence));
  view.setUint16(PREFIX + 8, index);
  out.set(bytes, CHUNK_PREFIX);
  return out;
}

export function encodeWindowFrame(firstSequence, lastSequence) {
  checkWindow(firstSequence, lastSequence);
  const out = start(FrameType.WINDOW, 16);
  const view = new DataView(out.buffer);
  view.setBigUint64(PREFIX, BigInt(firstSequence));
  view.setBigUint64(PREFIX + 8, BigInt(lastSequence));
  return out;
}

export function encodeControlFrame(json) {
  if (typeof json !== 'string') throw new FrameError('bad-json', 'missing control body');
  if (json.length > MAX_CONTROL_BYTES) throw new FrameError('oversized', 'control body over ' + MAX_CONTROL_BYTES + ' bytes');
  const body = strictUtf8Encode(json);
  if (body === null) throw new FrameError('bad-utf8', 'control text is not valid Unicode');
  if (body.length > MAX_CONTROL_BYTES) {
    throw new FrameError('oversized', 'control body over ' + MAX_CONTROL_BYTES + ' bytes');
  }
  controlFrame(json);
  const out = start(FrameType.CONTROL, body.length);
  out.set(body, PREFIX);
  return out;
}

function start(type, bodyLength) {
  const out = new Uint8Array(PREFIX + bodyLength);
  out[0] = FRAME_VERSION;
  out[1] = type;
  return out;
}

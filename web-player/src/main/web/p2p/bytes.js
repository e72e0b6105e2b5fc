// Small byte helpers shared by the data-plane modules. Kept separate so frames.js and header.js do not
// depend on each other for plumbing.

/** 2^53 − 1: every u64 sequence or time on the wire must fit a JavaScript number exactly (docs/protocol.md). */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A Uint8Array view of what a DataChannel, fetch or test hands us, without copying: ArrayBuffer, any typed
 * array or DataView.
 * @param {ArrayBuffer|ArrayBufferView} data
 * @returns {Uint8Array}
 */
export function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('expected bytes (ArrayBuffer or typed array)');
}

/**
 * Reads a u64 as a Number, or null when it is above 2^53 − 1, so the caller rejects it with its own code.
 * @param {DataView} view
 * @param {number} offset
 * @returns {number|null}
 */
export function readSafeU64(view, offset) {
  const value = view.getBigUint64(offset);
  return value > MAX_SAFE_BIG ? null : Number(value);
}

/** Strict UTF-8 that keeps a leading BOM, as Java's REPORTing decoder does (the default TextDecoder drops it). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** @returns {string|null} the text, or null when the bytes are not valid UTF-8 */
export function strictUtf8(bytes) {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch (e) {
    return null;
  }
}

/**
 * UTF-8 of a string, or null when it holds a lone surrogate (TextEncoder would silently write U+FFFD, where
 * Java's strict encoder refuses).
 */
export function strictUtf8Encode(text) {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) return null;
  return new TextEncoder().encode(text);
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

export function base64ToBytes(text) {
  const binary = atob(text.trim());
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function bytesToHex(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, '0');
  return out;
}

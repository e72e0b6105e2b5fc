// WebCrypto checks of what a node receives, as Java's SegmentVerifier: a header by its Ed25519 signature over
// its canonical bytes, a chunk by index, exact length and SHA-256 against a header verified first.
// No hand-written crypto: without WebCrypto Ed25519 the page must not act as a P2P node (see supportsEd25519).

import { base64ToBytes, bytesEqual, toBytes } from './bytes.js';
import { chunkLength, HeaderFormatError, parseHeader } from './header.js';

/**
 * Why something failed verification; `code` is one of "bad-key", "bad-header", "bad-signature",
 * "wrong-stream", "bad-index", "bad-length", "bad-hash". The sender should be reported and the data fetched
 * elsewhere.
 */
export class VerificationError extends Error {
  constructor(code, message) {
    super(code + ': ' + message);
    this.name = 'VerificationError';
    this.code = code;
  }
}

/** The SubjectPublicKeyInfo prefix of every Ed25519 key (docs/protocol.md): 12 bytes, then the 32-byte key. */
const SPKI_ED25519_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/**
 * Imports the stream's key (base64 of the X.509 SubjectPublicKeyInfo DER, as Join.publicKey carries it).
 * @param {string} publicKeyBase64
 * @returns {Promise<CryptoKey>}
 */
export async function importPublicKey(publicKeyBase64) {
  let der;
  try {
    der = base64ToBytes(String(publicKeyBase64));
  } catch (e) {
    throw new VerificationError('bad-key', 'public key is not base64');
  }
  if (der.length !== 44 || !SPKI_ED25519_PREFIX.every((b, i) => der[i] === b)) {
    throw new VerificationError('bad-key', 'not an Ed25519 SubjectPublicKeyInfo (44 bytes, 302a3005…)');
  }
  if (!globalThis.crypto || !crypto.subtle) {
    // crypto.subtle exists only in secure contexts: https, or http on localhost/127.0.0.1.
    throw new VerificationError('bad-key', 'WebCrypto is unavailable (not a secure context?)');
  }
  try {
    return await crypto.subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    throw new VerificationError('bad-key', 'WebCrypto refused the key: ' + (e && e.name) + ' ' + (e && e.message));
  }
}

/** Whether this browser's WebCrypto does Ed25519 (Chrome 137+, Firefox 129+, Safari 17+). */
export async function supportsEd25519() {
  try {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const data = new Uint8Array([1, 2, 3]);
    const signature = await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, data);
    return await crypto.subtle.verify({ name: 'Ed25519' }, pair.publicKey, signature, data);
  } catch (e) {
    return false;
  }
}

/**
 * Checks a header's signature and returns the parsed header; throws VerificationError otherwise.
 * @param {CryptoKey} key
 * @param {Uint8Array|ArrayBuffer} headerBytes  the canonical bytes, exactly as received
 * @param {Uint8Array|ArrayBuffer} signature    64 bytes
 * @param {string} [expectedStream]  when given, a well-signed header of another stream is refused too
 * @returns {Promise<import('./header.js').SegmentHeader>}
 */
export async function verifyHeader(key, headerBytes, signature, expectedStream) {
  let header;
  try {
    header = parseHeader(headerBytes); // copies: the bytes checked are the bytes parsed
  } catch (e) {
    if (e instanceof HeaderFormatError) throw new VerificationError('bad-header', e.message);
    throw e;
  }
  const sig = toBytes(signature);
  let valid = false;
  if (sig.length === 64) {
    try {
      valid = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, header.encoded);
    } catch (e) {
      valid = false; // e.g. an algorithm WebCrypto lacks: never treat as verified
    }
  }
  if (!valid) throw new VerificationError('bad-signature', 'bad signature on header of segment ' + header.sequence);
  if (expectedStream != null && expectedStream !== header.stream) {
    throw new VerificationError('wrong-stream', "header is for stream '" + header.stream + "', expected '"
        + expectedStream + "'");
  }
  return header;
}

/** SHA-256 of some bytes, as a Uint8Array. */
export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', toBytes(bytes)));
}

/**
 * Checks chunk `index` of a verified header: in range, exactly chunkSize bytes (what is left for the last
 * one), and its SHA-256. Resolves to nothing; throws VerificationError.
 * @param {import('./header.js').SegmentHeader} header
 * @param {number} index
 * @param {Uint8Array|ArrayBuffer} bytes
 */
export async function verifyChunk(header, index, bytes) {
  if (!Number.isInteger(index) || index < 0 || index >= header.chunkCount) {
    throw new VerificationError('bad-index', 'chunk index ' + index + ' out of range: segment ' + header.sequence
        + ' has ' + header.chunkCount + ' chunks');
  }
  const data = toBytes(bytes);
  const expected = chunkLength(header, index);
  if (data.length !== expected) {
    throw new VerificationError('bad-length', 'chunk ' + index + ' of segment ' + header.sequence + ' has '
        + data.length + ' bytes, expected ' + expected);
  }
  if (!bytesEqual(await sha256(data), header.chunkHashes[index])) {
    throw new VerificationError('bad-hash', 'chunk ' + index + ' of segment ' + header.sequence
        + ' does not match its SHA-256');
  }
}

// Decryption of a private stream's segments (docs/protocol.md "Encrypted segments"), as Java's ContentCipher:
// each 64 KiB chunk of the (verified) ciphertext is one AES-GCM box, nonce = u64 sequence ‖ u32 chunk index,
// 128-bit tag. The key comes only in the welcome of a viewer that presented a valid viewer token.

import { base64ToBytes } from './bytes.js';

export const CHUNK = 65536;
const TAG = 16;

/** @returns {Promise<CryptoKey>} the stream's content key (base64 of 16 or 32 bytes) for decryption only */
export async function importContentKey(base64) {
  return crypto.subtle.importKey('raw', base64ToBytes(String(base64)), { name: 'AES-GCM' }, false, ['decrypt']);
}

function nonce(sequence, index) {
  const n = new DataView(new ArrayBuffer(12));
  n.setBigUint64(0, BigInt(sequence));
  n.setUint32(8, index);
  return new Uint8Array(n.buffer);
}

/**
 * The plaintext of segment `sequence`; rejects (OperationError) if any chunk was altered or the key is wrong.
 * @param {CryptoKey} key
 * @param {number} sequence
 * @param {ArrayBuffer|Uint8Array} sealed
 * @returns {Promise<ArrayBuffer>}
 */
export async function decryptSegment(key, sequence, sealed) {
  const bytes = sealed instanceof Uint8Array ? sealed : new Uint8Array(sealed);
  const parts = [];
  for (let i = 0, from = 0; from < bytes.length; i++, from += CHUNK) {
    parts.push(crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce(sequence, i), tagLength: TAG * 8 }, key,
      bytes.subarray(from, Math.min(bytes.length, from + CHUNK))));
  }
  const plain = (await Promise.all(parts)).map((p) => new Uint8Array(p));
  const out = new Uint8Array(plain.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of plain) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

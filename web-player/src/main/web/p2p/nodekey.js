// This node's own key (docs/protocol.md "resume"): an Ed25519 pair made when the page starts, its private half
// non-extractable, so it never leaves WebCrypto. `join` names the public half and the coordinator binds the
// resume token to it; a `resume` is signed with the private half, so a token copied out of the page (or read
// by someone behind the same address) cannot take the place.

import { bytesToBase64 } from './bytes.js';

/**
 * A fresh key pair, or null where WebCrypto has no Ed25519 (such a node gets no resume token: it joins afresh).
 * @returns {Promise<{publicKey: string, privateKey: CryptoKey} | null>} publicKey: base64 SPKI, as join.nodeKey
 */
export async function makeNodeKey() {
  try {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    return { publicKey: bytesToBase64(spki), privateKey: pair.privateKey };
  } catch (e) {
    return null;
  }
}

/** What a resume's signature covers, as the coordinator's NodeKey.signedBytes: one field a line. */
export function resumeSignedText(stream, nodeId, resumeToken, tokenAgeMs) {
  return 'waterfall-resume-v1\n' + stream + '\n' + nodeId + '\n' + resumeToken + '\n' + tokenAgeMs;
}

/**
 * The proof fields of a `resume`: the key, the token's age (ms since it reached us, on the monotonic clock, so
 * the page's wall clock does not matter) and the signature over both with the stream, node and token.
 */
export async function signResume(key, stream, nodeId, resumeToken, tokenAgeMs) {
  const age = Math.max(0, Math.round(tokenAgeMs));
  const text = new TextEncoder().encode(resumeSignedText(stream, nodeId, resumeToken, age));
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, text));
  return { nodeKey: key.publicKey, tokenAgeMs: age, signature: bytesToBase64(signature) };
}

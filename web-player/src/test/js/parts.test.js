// p2p/parts.js and p2p/partstore.js: LL-HLS part frames parsed, verified with WebCrypto Ed25519 as the page does
// (a key exported as SPKI and imported by verify.js), tampering and a wrong init refused, and a parent's backlog
// fills a child's store. Node's own WebCrypto has Ed25519; no browser.
import assert from 'node:assert/strict';
import test from 'node:test';
import { bytesToBase64 } from '../../main/web/p2p/bytes.js';
import { FrameError } from '../../main/web/p2p/frames.js';
import { importPublicKey, sha256 } from '../../main/web/p2p/verify.js';
import { ASK_PARTS, decodePartFrame, encodeInitRecord, encodePartChunkFrame, encodePartHeader, encodeSignedPartFrame,
  isAskForParts, PartFrameType, parsePartHeader } from '../../main/web/p2p/parts.js';
import { decodeFrame } from '../../main/web/p2p/frames.js';
import { PartResult, PartStore } from '../../main/web/p2p/partstore.js';

const STREAM = 'live';

async function origin() {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const key = await importPublicKey(bytesToBase64(spki));
  const sign = async (bytes) => new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, bytes));
  const init = new Uint8Array(900).map((_, i) => i * 7);
  const initRecord = encodeInitRecord(STREAM, init);
  const initFrame = encodeSignedPartFrame(PartFrameType.INIT, initRecord, await sign(initRecord));
  const initSha = await sha256(init);
  /** Frames of part `id`: header then chunks, `chunkSize` 4096 so a 10 000-byte part is three chunks. */
  const part = async (id, options = {}) => {
    const data = new Uint8Array(options.length ?? 10000).map((_, i) => (i + id) & 0xff);
    const chunkSize = 4096;
    const chunks = [];
    for (let at = 0; at < data.length; at += chunkSize) chunks.push(data.subarray(at, at + chunkSize));
    const header = encodePartHeader({ stream: options.stream ?? STREAM, partId: id, msn: Math.floor(id / 6),
      index: id % 6, durationMicros: 333333, independent: id % 6 === 0, initSha256: options.initSha ?? initSha,
      producedAtMillis: 1_700_000_000_000 + id * 333, byteLength: data.length, chunkSize,
      chunkHashes: await Promise.all(chunks.map((c) => sha256(c))) });
    return { data, header: encodeSignedPartFrame(PartFrameType.PART_HEADER, header, await sign(header)),
      chunks: chunks.map((c, i) => encodePartChunkFrame(id, i, c)) };
  };
  return { key, sign, init, initFrame, part };
}

async function fill(store, frames) {
  const results = [];
  for (const f of frames) results.push(await store.add(f));
  return results;
}

test('part frames decode as Java writes them; other frames are not part frames', async () => {
  const o = await origin();
  const p = await o.part(12);
  const h = decodePartFrame(p.header);
  assert.equal(h.type, 'part-header');
  assert.equal(h.header.partId, 12);
  assert.equal(h.header.msn, 2);
  assert.equal(h.header.index, 0);
  assert.equal(h.header.independent, true);
  assert.equal(h.header.chunkCount, 3);
  const c = decodePartFrame(p.chunks[2]);
  assert.deepEqual([c.type, c.partId, c.index, c.payload.length], ['part-chunk', 12, 2, 10000 - 2 * 4096]);
  const i = decodePartFrame(o.initFrame);
  assert.deepEqual([i.type, i.record.stream, i.record.init.length], ['init', STREAM, 900]);
  assert.equal(decodePartFrame(ASK_PARTS), null);
  assert.ok(isAskForParts(decodeFrame(ASK_PARTS)));
});

test('bad part frames are refused with the codes Java uses', async () => {
  const o = await origin();
  const p = await o.part(3);
  assert.throws(() => decodePartFrame(p.header.subarray(0, p.header.length - 1)), (e) => e.code === 'truncated');
  const longer = new Uint8Array(p.header.length + 1);
  longer.set(p.header);
  assert.throws(() => decodePartFrame(longer), (e) => e.code === 'trailing-bytes');
  const body = p.header.slice(6, p.header.length - 64);
  body[1] = 2; // a part header's bytes claiming to be an init record
  assert.throws(() => parsePartHeader(body), FrameError);
  assert.throws(() => decodePartFrame(new Uint8Array([1, 6, 0, 0])), (e) => e.code === 'truncated');
});

test('a verified init and part: chunks stored, the part whole once its last chunk is in', async () => {
  const o = await origin();
  const store = new PartStore(o.key, { stream: STREAM });
  const p = await o.part(6);
  assert.deepEqual(await fill(store, [o.initFrame, p.header, p.chunks[0], p.chunks[1]]),
    [PartResult.STORED, PartResult.STORED, PartResult.STORED, PartResult.STORED]);
  assert.equal(store.partBytes(6), null);
  const waiting = store.waitForPart(6, 60_000);
  assert.equal(await store.add(p.chunks[2]), PartResult.STORED);
  assert.deepEqual(await waiting, p.data);
  assert.deepEqual(store.initBytes(), o.init);
  assert.equal(await store.add(p.chunks[2]), PartResult.DUPLICATE);
});

test('chunks sent before their header is verified wait for it, in order', async () => {
  const o = await origin();
  const store = new PartStore(o.key, { stream: STREAM });
  await store.add(o.initFrame);
  const p = await o.part(1);
  const all = await Promise.all([p.header, ...p.chunks].map((f) => store.add(f)));
  assert.deepEqual(all, [PartResult.STORED, PartResult.STORED, PartResult.STORED, PartResult.STORED]);
  assert.deepEqual(store.partBytes(1), p.data);
});

test('tampering is refused: a changed byte in a chunk, a changed header, a bad init signature', async () => {
  const o = await origin();
  const store = new PartStore(o.key, { stream: STREAM });
  const badInit = o.initFrame.slice();
  badInit[badInit.length - 70] ^= 1; // a byte of the init segment
  assert.equal(await store.add(badInit), PartResult.REJECTED);
  assert.equal(store.initBytes(), null);
  await store.add(o.initFrame);
  const p = await o.part(2);
  const forged = p.header.slice();
  forged[6 + 4 + STREAM.length + 8 + 8 + 2 + 3] ^= 1; // the duration, under the signature
  assert.equal(await store.add(forged), PartResult.REJECTED);
  assert.equal(await store.add(p.header), PartResult.STORED);
  const chunk = p.chunks[0].slice();
  chunk[100] ^= 0xff;
  assert.equal(await store.add(chunk), PartResult.REJECTED);
  const short = p.chunks[1].subarray(0, p.chunks[1].length - 1);
  assert.equal(await store.add(short), PartResult.REJECTED);
  assert.deepEqual(store.missingChunks(2), [0, 1, 2]);
  const other = await o.part(3, { stream: 'other' });
  assert.equal(await store.add(other.header), PartResult.REJECTED, 'well signed, but another stream');
});

test('a well-signed part for another init, or before any init, is dropped as wrong-init, not reported', async () => {
  const o = await origin();
  const store = new PartStore(o.key, { stream: STREAM });
  const p = await o.part(4);
  assert.equal(await store.add(p.header), PartResult.WRONG_INIT, 'no init yet');
  await store.add(o.initFrame);
  const foreign = await o.part(5, { initSha: new Uint8Array(32).fill(9) });
  assert.equal(await store.add(foreign.header), PartResult.WRONG_INIT);
  assert.equal(await store.add(foreign.chunks[0]), PartResult.UNKNOWN);
  assert.deepEqual(store.ids(), []);
});

test('a parent backlog (init, then parts from the segment before the newest start) fills a child store', async () => {
  const o = await origin();
  const parent = new PartStore(o.key, { stream: STREAM });
  await parent.add(o.initFrame);
  for (let id = 0; id < 15; id++) {
    const p = await o.part(id);
    await fill(parent, [p.header, ...p.chunks]);
  }
  const child = new PartStore(o.key, { stream: STREAM });
  const results = await fill(child, parent.backlog());
  assert.ok(results.every((r) => r === PartResult.STORED));
  assert.deepEqual(child.ids(), [6, 7, 8, 9, 10, 11, 12, 13, 14], 'from part 6: segment 1 starts there, 2 at 12');
  assert.deepEqual(child.partBytes(14), parent.partBytes(14));
});

test('parts past the window are evicted, and a wait gives up after its deadline', async () => {
  const o = await origin();
  const store = new PartStore(o.key, { stream: STREAM, windowMicros: 1_000_000 });
  await store.add(o.initFrame);
  for (let id = 0; id < 5; id++) {
    const p = await o.part(id);
    await fill(store, [p.header, ...p.chunks]);
  }
  assert.deepEqual(store.ids(), [2, 3, 4]);
  const old = await o.part(0);
  assert.equal(await store.add(old.header), PartResult.TOO_OLD);
  assert.equal(await store.waitForPart(9, 20), null);
});

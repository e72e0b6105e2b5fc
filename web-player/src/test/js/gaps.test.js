// p2p/gaps.js: a segment the parent skipped is fetched over HTTP soon, not after the playlist's gap timeout.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  BEHIND_MS, CHUNK_DEADLINE_MS, CHUNK_WAIT_MAX_MS, GapFiller, chunksDue, parentBehind,
} from '../../main/web/p2p/gaps.js';
import { bytesToBase64 } from '../../main/web/p2p/bytes.js';
import { decodeFrame, encodeHeaderFrame } from '../../main/web/p2p/frames.js';
import { encodeHeader } from '../../main/web/p2p/header.js';
import { SegmentStore } from '../../main/web/p2p/store.js';
import { importPublicKey, sha256 } from '../../main/web/p2p/verify.js';

/**
 * A store holding complete 2 s segments whose headers came at the given times (epoch ms), each `lagMs` after the
 * origin produced it (by the origin's clock).
 */
function fakeStore(headersAt, gapTimeoutMillis = 6000, lagMs = 0) {
  return {
    playableFrom: -1,
    limits: { gapTimeoutMillis },
    sequences: () => [...headersAt.keys()].sort((a, b) => a - b),
    status: (sequence) => ({ complete: true, headerAtMillis: headersAt.get(sequence) }),
    header: (sequence) => ({ header: { producedAtMillis: headersAt.get(sequence) - lagMs, durationMillis: 2000 } }),
    missingChunks: () => [],
  };
}

/** Fallbacks that record each path asked for and fail it (an answer is not what these tests look at). */
function recordingFallbacks() {
  const asked = [];
  return { asked, fetch: (path) => { asked.push(path); return Promise.reject(new Error('offline')); } };
}

function filler(store, fallbacks) {
  const node = { store, bufferSeconds: () => 0, delivery: { marginMs: () => 1000 }, askedSegments: new Set(),
    stats: { bytesByFallback: 0, headersByHttp: 0, chunksByHttp: 0 } };
  return new GapFiller(node, fallbacks, () => {});
}

const settle = () => new Promise((r) => setTimeout(r, 0));

test('a hole below a segment whose header came 1.5 s ago is fetched, header first', async () => {
  const now = 100_000;
  const fallbacks = recordingFallbacks();
  const gaps = filler(fakeStore(new Map([[10, now - 4000], [12, now - CHUNK_DEADLINE_MS - 1]])), fallbacks);
  gaps.tick(now, now);
  assert.deepEqual(fallbacks.asked, ['seg-11.hdr']);
});

test('not before the deadline, and not again within a second of a failed try', async () => {
  const now = 100_000;
  const fallbacks = recordingFallbacks();
  const gaps = filler(fakeStore(new Map([[10, now - 4000], [12, now - 100]])), fallbacks);
  gaps.tick(now, now);
  assert.deepEqual(fallbacks.asked, []);
  gaps.tick(now + CHUNK_DEADLINE_MS, now);
  await settle();
  gaps.tick(now + CHUNK_DEADLINE_MS + 500, now);
  assert.deepEqual(fallbacks.asked, ['seg-11.hdr']);
  gaps.tick(now + CHUNK_DEADLINE_MS + 1000, now);
  assert.deepEqual(fallbacks.asked, ['seg-11.hdr', 'seg-11.hdr']);
});

test('only the last three of a wide hole (an origin restart jumps far), and none past the gap timeout', () => {
  const now = 100_000;
  const wide = recordingFallbacks();
  filler(fakeStore(new Map([[10, now - 9000], [100, now - 2000]])), wide).tick(now, now);
  assert.deepEqual(wide.asked, ['seg-97.hdr', 'seg-98.hdr', 'seg-99.hdr']);
  const old = recordingFallbacks();
  filler(fakeStore(new Map([[10, now - 9000], [12, now - 7000]])), old).tick(now, now);
  assert.deepEqual(old.asked.filter((p) => p !== 'index.m3u8'), []);
});

test('the parent is behind once the next header is overdue against the fastest path seen, whatever the clocks', () => {
  // Headers came 300 ms and 200 ms after the origin produced them; the page's clock is 5 s ahead of the origin's.
  const skew = 5000;
  const produced = 100_000;
  const store = {
    sequences: () => [10, 11],
    status: (q) => ({ headerAtMillis: (q === 10 ? produced - 2000 + 300 : produced + 200) + skew }),
    header: (q) => ({ header: { producedAtMillis: q === 10 ? produced - 2000 : produced, durationMillis: 2000 } }),
  };
  const due = produced + 2000 + 200 + skew; // segment 12, by the fastest path (200 ms)
  assert.equal(parentBehind(store, due + BEHIND_MS), false);
  assert.equal(parentBehind(store, due + BEHIND_MS + 1), true);
  assert.equal(parentBehind({ sequences: () => [] }, due + 60_000), false);
});

test('a parent that keeps sending but falls behind gets the playlist polled, as a silent one does', () => {
  const now = 100_000;
  const slow = recordingFallbacks();
  // Newest header came 3.5 s ago: the next is 1.5 s overdue, though a frame (a late chunk) came just now.
  filler(fakeStore(new Map([[10, now - 5500], [11, now - 3500]])), slow).tick(now, now);
  assert.deepEqual(slow.asked, ['index.m3u8']);
  const onTime = recordingFallbacks();
  filler(fakeStore(new Map([[10, now - 3000], [11, now - 1000]])), onTime).tick(now, now);
  assert.deepEqual(onTime.asked, []);
});

test('a late chunk waits for the tree while the player holds enough, never less than the floor nor past the cap', () => {
  // Player needs it in 4 s, a fetch and append take 1 s, the reload that lists it 2 s: the tree has 1 s more.
  assert.equal(chunksDue(CHUNK_DEADLINE_MS, 0, 1000, 2000), false);
  assert.equal(chunksDue(CHUNK_DEADLINE_MS + 1, 4000, 1000, 2000), false);
  assert.equal(chunksDue(CHUNK_DEADLINE_MS + 1, 3000, 1000, 2000), true);
  assert.equal(chunksDue(CHUNK_WAIT_MAX_MS, 60_000, 1000, 2000), true);
});

/** A store whose segments 10 and 11 have their headers in and chunk 3 missing, 11's header `ageMs` old. */
function incompleteStore(now, ageMs) {
  const at = new Map([[10, now - ageMs - 100], [11, now - ageMs]]);
  return {
    playableFrom: 10,
    limits: { gapTimeoutMillis: 6000 },
    sequences: () => [10, 11],
    status: (q) => ({ complete: false, headerAtMillis: at.get(q) }),
    header: (q) => ({ header: { producedAtMillis: at.get(q), durationMillis: 2000 } }),
    missingChunks: () => [3],
    chunk: () => null,
  };
}

test('an incomplete segment is fetched as the buffer runs low, counting the incomplete ones before it', async () => {
  const now = 100_000;
  const fetched = (bufferSeconds, asked = []) => {
    const fallbacks = recordingFallbacks();
    const node = { store: incompleteStore(now, CHUNK_DEADLINE_MS + 200), bufferSeconds: () => bufferSeconds,
      delivery: { marginMs: () => 1000 }, askedSegments: new Set(asked), stats: { bytesByFallback: 0, chunksByHttp: 0 } };
    new GapFiller(node, fallbacks, () => {}).tick(now, now);
    return fallbacks.asked;
  };
  // 4 s held: 10 is needed in 4 s (fetch + reload 3 s: wait), 11 in 6 s.
  assert.deepEqual(fetched(4), []);
  // 2.5 s held: 10 is due, 11 (after 10's 2 s) is not.
  assert.deepEqual(fetched(2.5), ['seg-10.ts/chunk/3']);
  // 10 already asked for (the loader's to deliver; no reload to wait for): 11 is needed after the 2.5 s held alone.
  assert.deepEqual(fetched(2.5, [10]), ['seg-11.ts/chunk/3']);
  // A node without a player: the floor, as before.
  assert.deepEqual(fetched(0), ['seg-10.ts/chunk/3', 'seg-11.ts/chunk/3']);
});

test('a segment the player fetched over HTTP fills what the store lacks, checked, and goes to the children', async () => {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const store = new SegmentStore(await importPublicKey(bytesToBase64(spki)), { stream: 's' });
  const segment = new Uint8Array(150_000).map((_, i) => i % 251);
  const chunkSize = 65536;
  const chunks = [0, 1, 2].map((i) => segment.slice(i * chunkSize, Math.min(segment.length, (i + 1) * chunkSize)));
  const chunkHashes = await Promise.all(chunks.map((c) => sha256(c)));
  const headerBytes = encodeHeader({ stream: 's', sequence: 7, durationMillis: 2000, byteLength: segment.length,
    chunkSize, producedAtMillis: Date.now(), discontinuity: false, discontinuitySequence: 0, chunkHashes });
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, headerBytes));
  assert.equal(await store.addHeader(decodeFrame(encodeHeaderFrame(headerBytes, signature))), 'STORED');
  assert.equal(await store.addChunk(7, 0, chunks[0]), 'STORED'); // the parent's
  const forwarded = [];
  const gaps = new GapFiller({ store, stats: {} }, recordingFallbacks(), (bytes, frame) => {
    const decoded = decodeFrame(bytes);
    // the frame handed with the bytes is what they encode: the lanes choose by it (lanes.js)
    assert.deepEqual([frame.type, frame.sequence, frame.index], [decoded.type, decoded.sequence, decoded.index]);
    forwarded.push(decoded);
  });

  const tampered = segment.slice();
  tampered[100_000] ^= 1; // chunk 1 is bad: refused; chunk 2 is good: taken
  await gaps.adopt(7, tampered.buffer);
  assert.deepEqual(store.missingChunks(7), [1]);
  await gaps.adopt(7, segment.slice().buffer);
  assert.deepEqual(store.missingChunks(7), []);
  assert.deepEqual(forwarded.map((f) => f.index), [2, 1]);
  assert.deepEqual(store.segmentBytes(7), segment);
  await gaps.adopt(8, segment.slice().buffer); // no header held: nothing to check it against
  assert.equal(forwarded.length, 2);
});

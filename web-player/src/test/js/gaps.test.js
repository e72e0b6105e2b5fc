// p2p/gaps.js: a segment the parent skipped is fetched over HTTP soon, not after the playlist's gap timeout.
import assert from 'node:assert/strict';
import test from 'node:test';
import { BEHIND_MS, CHUNK_DEADLINE_MS, GapFiller, parentBehind } from '../../main/web/p2p/gaps.js';

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
  const node = { store, stats: { bytesByFallback: 0, headersByHttp: 0, chunksByHttp: 0 } };
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

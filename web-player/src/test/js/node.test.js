// p2p/node.js waitForSegment: what the loader waits for before it turns to HTTP.
import assert from 'node:assert/strict';
import test from 'node:test';
import { BrowserNode, LOADS_KEPT } from '../../main/web/p2p/node.js';

/** A store holding the given complete segments (sequence → bytes). */
function storeOf(segments) {
  return {
    get size() { return segments.size; },
    segmentBytes: (sequence) => segments.get(sequence) || null,
    sequences: () => [...segments.keys()].sort((a, b) => a - b),
    header: (sequence) => (segments.has(sequence) ? {} : null),
  };
}

test('while the store holds nothing, a segment goes to HTTP at once, however long the deadline', async () => {
  const node = new BrowserNode({ stream: 's' });
  node.stats.segmentsByHttp = 2; // the start-up ones are in: the third used to wait for the link
  const began = Date.now();
  assert.equal(await node.waitForSegment(7, 5000), null);
  node.store = storeOf(new Map());
  assert.equal(await node.waitForSegment(7, 5000), null);
  assert.ok(Date.now() - began < 1000, 'no wait on an empty store');
});

test('a segment the store holds is served from it', async () => {
  const node = new BrowserNode({ stream: 's' });
  const bytes = new Uint8Array([1, 2, 3]);
  node.store = storeOf(new Map([[7, bytes]]));
  assert.equal(await node.waitForSegment(7, 5000), bytes);
});

test('a segment on its way is waited for, up to the deadline', async () => {
  const node = new BrowserNode({ stream: 's' });
  const segments = new Map([[6, new Uint8Array([6])]]);
  node.store = storeOf(segments);
  const bytes = new Uint8Array([7]);
  setTimeout(() => segments.set(7, bytes), 150);
  assert.equal(await node.waitForSegment(7, 5000), bytes);
  assert.equal(await node.waitForSegment(8, 200), null);
});

test('a segment older than everything the parent sends is not waited for', async () => {
  const node = new BrowserNode({ stream: 's' });
  node.store = storeOf(new Map([[9, new Uint8Array([9])]]));
  const began = Date.now();
  assert.equal(await node.waitForSegment(7, 5000), null);
  assert.ok(Date.now() - began < 1000);
});

test('the page state keeps the last segment loads, oldest dropped first', () => {
  const node = new BrowserNode({ stream: 's' });
  for (let sn = 1; sn <= LOADS_KEPT + 8; sn++) node.noteLoad(sn).via = 'http';
  assert.equal(node.stats.loads.length, LOADS_KEPT);
  assert.equal(node.stats.loads[0].sn, 9);
  assert.equal(node.stats.loads[LOADS_KEPT - 1].sn, LOADS_KEPT + 8);
  assert.equal(node.stats.loads[LOADS_KEPT - 1].via, 'http');
});

test('a load tells how far behind the origin each step of its segment came', () => {
  const node = new BrowserNode({ stream: 's' });
  const produced = Date.now() - 5000;
  node.store = { status: (sn) => (sn === 7 ? { producedAtMillis: produced, headerAtMillis: produced + 40,
    completeAtMillis: produced + 900 } : sn === 8 ? { producedAtMillis: produced + 2000, headerAtMillis: produced + 2040,
    completeAtMillis: -1 } : null) };
  const fromStore = node.noteLoad(7);
  node.noteHops(fromStore, 7, produced + 30);
  assert.equal(fromStore.produced, produced);
  assert.deepEqual({ ...fromStore.behind, done: fromStore.behind.done >= 5000 },
    { asked: 30, header: 40, complete: 900, done: true });
  const incomplete = node.noteLoad(8);
  node.noteHops(incomplete, 8, produced + 2100);
  assert.equal(incomplete.behind.complete, -1, 'never complete in the store (it came over HTTP)');
  const unknown = node.noteLoad(9);
  node.noteHops(unknown, 9, produced);
  assert.equal(unknown.behind, undefined, 'no header: nothing to measure against');
});

/**
 * A store for playlist(): complete segments `from`..`to` playable, headers held up to `heldTo`, each produced
 * 2 s after the one before, the newest at `newestProducedAt`, and received 50 ms after it was produced.
 */
function playlistStore(from, to, heldTo, newestProducedAt) {
  const producedAt = (sequence) => newestProducedAt - (heldTo - sequence) * 2000;
  const playable = [];
  for (let s = from; s <= to; s++) playable.push({ sequence: s, durationMillis: 2000, discontinuity: false, discontinuitySequence: 0 });
  const held = [];
  for (let s = from; s <= heldTo; s++) held.push(s);
  return {
    size: held.length,
    playableSegments: (max) => playable.slice(Math.max(0, playable.length - max)),
    sequences: () => held,
    header: (s) => ({ header: { producedAtMillis: producedAt(s), durationMillis: 2000 } }),
    status: (s) => ({ headerAtMillis: producedAt(s) + 50 }),
  };
}

test("the player gets the store's playlist while the store keeps up with the stream", () => {
  const node = new BrowserNode({ stream: 's' });
  node.store = playlistStore(10, 15, 16, Date.now() - 500); // 16 is arriving
  assert.match(node.playlist(), /#EXT-X-MEDIA-SEQUENCE:10\n[\s\S]*seg-15\.ts\n$/);
});

test('a hole holding the store back, or a parent behind, hands the player the fallback playlist instead', () => {
  const node = new BrowserNode({ stream: 's' });
  node.store = playlistStore(10, 15, 17, Date.now() - 500); // 16 incomplete while 17 is in
  assert.equal(node.playlist(), null);
  node.store = playlistStore(10, 15, 16, Date.now() - 4000); // 17's header 2 s overdue
  assert.equal(node.playlist(), null);
});

test("once the player had a fallback playlist, the store's is used again only when it reaches as far", () => {
  const node = new BrowserNode({ stream: 's' });
  node.noteListed('#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:15\n#EXTINF:2.000,\nseg-15.ts\n#EXTINF:2.000,\nseg-16.ts\n'
    + '#EXTINF:2.000,\nseg-17.ts\n');
  node.store = playlistStore(10, 16, 17, Date.now() - 500);
  assert.equal(node.playlist(), null, 'it would end before seg-17, which the player already knows');
  node.store = playlistStore(12, 17, 18, Date.now() - 500);
  assert.match(node.playlist(), /seg-17\.ts\n$/);
});

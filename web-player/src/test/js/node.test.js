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

// p2p/loader.js raceHttpAndStore: a segment past its deadline plays from whichever of HTTP and the store lands
// first, and the loser is stopped.
import assert from 'node:assert/strict';
import test from 'node:test';
import { raceHttpAndStore } from '../../main/web/p2p/loader.js';
import { BrowserNode } from '../../main/web/p2p/node.js';

/** A node whose store gets segment 7 after `storeMs` (never if null) and whose fetch lands after `httpMs`. */
function nodeWith({ storeMs, httpMs, httpFails = false }) {
  const node = new BrowserNode({ stream: 's' });
  const segments = new Map([[6, new Uint8Array([6])]]);
  node.store = {
    get size() { return segments.size; },
    segmentBytes: (sequence) => segments.get(sequence) || null,
    sequences: () => [...segments.keys()].sort((a, b) => a - b),
    header: (sequence) => (sequence === 7 || segments.has(sequence) ? {} : null),
  };
  if (storeMs !== null) setTimeout(() => segments.set(7, new Uint8Array([7, 7])), storeMs);
  node.fetched = { aborted: false };
  node.fetchFallback = (path, timeoutMs, signal) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => (httpFails ? reject(new Error('answered 503'))
      : resolve({ arrayBuffer: async () => new Uint8Array([1, 2, 3]).buffer })), httpMs);
    signal.addEventListener('abort', () => {
      node.fetched.aborted = true;
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
  return node;
}

test('a segment the store completes before the fetch lands plays from the store, and the fetch stops', async () => {
  const node = nodeWith({ storeMs: 100, httpMs: 2000 });
  const began = Date.now();
  const won = await raceHttpAndStore(node, 7, new AbortController().signal);
  assert.equal(won.via, 'store-late');
  assert.deepEqual([...won.data], [7, 7]);
  assert.ok(node.fetched.aborted, 'the fetch was aborted');
  assert.ok(Date.now() - began < 1500, 'did not wait for the fetch');
});

test('a fetch that lands first plays, and the store wait stops', async () => {
  const node = nodeWith({ storeMs: null, httpMs: 50 });
  const won = await raceHttpAndStore(node, 7, new AbortController().signal);
  assert.equal(won.via, 'http');
  assert.equal(won.data.byteLength, 3);
  assert.ok(won.ms >= 40);
});

test('a failed fetch still leaves the store its chance', async () => {
  const node = nodeWith({ storeMs: 200, httpMs: 20, httpFails: true });
  const won = await raceHttpAndStore(node, 7, new AbortController().signal);
  assert.equal(won.via, 'store-late');
});

test('when neither delivers, the fetch error is what the player sees', async () => {
  const node = nodeWith({ storeMs: null, httpMs: 20, httpFails: true });
  node.store.segmentBytes = () => null;
  node.store.sequences = () => [9]; // the parent has moved past 7: the store gives up at once
  node.store.header = () => null;
  await assert.rejects(raceHttpAndStore(node, 7, new AbortController().signal), /answered 503/);
});

test('the player aborting the load stops both', async () => {
  const node = nodeWith({ storeMs: null, httpMs: 5000 });
  const player = new AbortController();
  const race = raceHttpAndStore(node, 7, player.signal);
  setTimeout(() => player.abort(), 50);
  await assert.rejects(race);
  assert.ok(node.fetched.aborted);
});

test('a fetch the caller aborts does not move later fetches to the next fallback relay', async () => {
  const { Fallbacks } = await import('../../main/web/p2p/fallback.js');
  const fallbacks = new Fallbacks('s');
  fallbacks.set(['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']);
  const gaveUp = new AbortController();
  gaveUp.abort();
  await assert.rejects(fallbacks.fetch('seg-7.ts', 1000, gaveUp.signal));
  assert.equal(fallbacks.index, 0);
  await assert.rejects(fallbacks.fetch('seg-7.ts', 1000)); // nothing listens on port 9: a real failure
  assert.equal(fallbacks.index, 1);
});

// p2p/loader.js on an LL-HLS page: hls.js's init, part and segment requests are answered from the part store when
// it has them within the part's deadline (PART_DEADLINE_MS, less when the player holds little), and go to
// hls.js's own loader (HTTP) when it does not, the store still racing the fetch.
import assert from 'node:assert/strict';
import test from 'node:test';
import { llResource, p2pLoader, PART_DEADLINE_MS, partDeadline } from '../../main/web/p2p/loader.js';
import { BrowserNode } from '../../main/web/p2p/node.js';

test('llResource names the init, a part and a segment of the stream, nothing else', () => {
  const base = 'http://127.0.0.1:8080/ll/my%20show/';
  assert.deepEqual(llResource(base + 'init.mp4', 'my show'), { kind: 'init' });
  assert.deepEqual(llResource(base + 'part-42.m4s?x=1', 'my show'), { kind: 'part', id: 42 });
  assert.deepEqual(llResource(base + 'seg-7.m4s', 'my show'), { kind: 'segment', msn: 7 });
  assert.equal(llResource(base + 'index.m3u8?_HLS_msn=3', 'my show'), null);
  assert.equal(llResource('http://127.0.0.1:8080/ll/other/part-1.m4s', 'my show'), null);
  assert.equal(llResource('http://127.0.0.1:8080/hls/my%20show/seg-1.ts', 'my show'), null);
  assert.equal(llResource('not a url', 'my show'), null);
});

/** A node whose part store holds parts 10 (msn 2, index 0) and 11 (index 1) whole, 12 (msn 3) and the init. */
function llNode() {
  const node = new BrowserNode({ stream: 's', parts: true });
  const held = new Map([[10, { msn: 2, index: 0 }], [11, { msn: 2, index: 1 }], [12, { msn: 3, index: 0 }]]);
  node.parts = {
    init: {},
    initBytes: () => new Uint8Array([9, 9]),
    ids: () => [...held.keys()],
    header: (id) => held.get(id) || null,
    partBytes: (id) => (held.has(id) ? new Uint8Array([id, id]) : null),
    waitForPart: (id, ms) => new Promise((r) => setTimeout(() => r(null), Math.min(ms, 30))),
  };
  node.upstream.link = { parentId: 'P' };
  return node;
}

globalThis.location = globalThis.location || { origin: 'http://127.0.0.1:8080' }; // the virtual playlist's origin

/** The loader class over a fake hls.js whose own loader records what reaches HTTP. */
function loaderFor(node) {
  const http = [];
  class DefaultLoader {
    load(context, config, callbacks) {
      http.push(context.url);
      callbacks.onSuccess({ url: context.url, data: new Uint8Array(5).buffer }, {}, context, null);
    }
  }
  return { Loader: p2pLoader({ DefaultConfig: { loader: DefaultLoader } }, node), http };
}

function load(Loader, url) {
  return new Promise((resolve, reject) => new Loader({}).load({ url }, {}, {
    onSuccess: (response) => resolve(new Uint8Array(response.data)),
    onError: (e) => reject(new Error(e.text)),
  }));
}

test('held parts, the init and a segment whose parts are all held come from the store; the rest over HTTP', async () => {
  const node = llNode();
  const { Loader, http } = loaderFor(node);
  const base = 'http://127.0.0.1:8080/ll/s/';
  assert.deepEqual([...await load(Loader, base + 'part-11.m4s')], [11, 11]);
  assert.deepEqual([...await load(Loader, base + 'init.mp4')], [9, 9]);
  assert.deepEqual([...await load(Loader, base + 'seg-2.m4s')], [10, 10, 11, 11], 'its parts end to end');
  assert.deepEqual(http, []);
  assert.equal(node.stats.partsFromStore, 3);
  assert.equal((await load(Loader, base + 'part-13.m4s')).length, 5, 'late: fetched');
  assert.equal((await load(Loader, base + 'seg-3.m4s')).length, 5, 'its end is not known yet');
  assert.deepEqual(http, [base + 'part-13.m4s', base + 'seg-3.m4s']);
  assert.equal(node.stats.partsByHttp, 2);
  assert.equal(node.stats.bytesByFallback, 10);
});

test('a part far past the newest held is not waited for: the parent is not keeping up', async () => {
  const node = llNode();
  const waited = [];
  node.parts.waitForPart = (id) => { waited.push(id); return Promise.resolve(null); };
  const { Loader, http } = loaderFor(node);
  await load(Loader, 'http://127.0.0.1:8080/ll/s/part-14.m4s');
  await load(Loader, 'http://127.0.0.1:8080/ll/s/part-15.m4s');
  assert.ok(waited.includes(14), 'the newest held is 12: 14 is waited for');
  assert.ok(!waited.includes(15), '15 is not');
  assert.equal(http.length, 2);
});

test('without a parent link nothing is waited for: the part goes to HTTP at once', async () => {
  const node = llNode();
  node.upstream.link = null;
  const { Loader, http } = loaderFor(node);
  await load(Loader, 'http://127.0.0.1:8080/ll/s/part-14.m4s');
  assert.deepEqual(http, ['http://127.0.0.1:8080/ll/s/part-14.m4s']);
});

test('the wait for a part leaves the player time to fetch it: PART_DEADLINE_MS at most, less as it holds less', () => {
  assert.equal(partDeadline(2, 250), PART_DEADLINE_MS);
  assert.equal(partDeadline(0.6, 250), 350);
  assert.equal(partDeadline(0.2, 250), 0, 'less held than a fetch takes: HTTP at once');
  assert.equal(partDeadline(0.9, 700), 200, 'fetches measured slow: a shorter wait');
});

test('a page holding little does not wait for a late part: it is fetched at once', async () => {
  const node = llNode();
  node.bufferSeconds = () => 0.2; // an LL player ~1 s behind live holds ~0.6-1 s ahead; after a hiccup, less
  const waits = [];
  node.parts.waitForPart = (id, ms) => { waits.push(ms); return Promise.resolve(null); };
  const { Loader, http } = loaderFor(node);
  assert.equal((await load(Loader, 'http://127.0.0.1:8080/ll/s/part-13.m4s')).length, 5);
  assert.equal(waits[0], 0, 'no wait before the fetch');
  assert.deepEqual(http, ['http://127.0.0.1:8080/ll/s/part-13.m4s']);
});

test('a part past its deadline that completes in the store before the fetch lands plays from the store', async () => {
  const node = llNode();
  node.bufferSeconds = () => 0.5;
  let calls = 0;
  // The first wait (its deadline) ends empty; the part completes 40 ms into the race.
  node.parts.waitForPart = (id, ms) => (++calls === 1 ? Promise.resolve(null)
    : new Promise((r) => setTimeout(() => r(new Uint8Array([id, 7])), 40)));
  const aborted = [];
  class SlowLoader {
    load(context, config, callbacks) {
      this.callbacks = callbacks;
      this.context = context;
    }

    abort() {
      aborted.push(this.context.url);
      this.callbacks.onAbort({}, this.context, null);
    }
  }
  const Loader = p2pLoader({ DefaultConfig: { loader: SlowLoader } }, node);
  assert.deepEqual([...await load(Loader, 'http://127.0.0.1:8080/ll/s/part-13.m4s')], [13, 7]);
  assert.deepEqual(aborted, ['http://127.0.0.1:8080/ll/s/part-13.m4s'], 'the fetch that lost is aborted');
  assert.equal(node.stats.partsFromStore, 1);
  assert.equal(node.stats.partsByHttp, 0);
  assert.equal(node.partLoads[0].via, 'store-late');
});

test('a playlist reload goes to the hls.js loader once, answered once, and is noted for a stall diagnosis', async () => {
  const node = llNode();
  const { Loader, http } = loaderFor(node);
  const url = 'http://127.0.0.1:8080/ll/s/index.m3u8?_HLS_msn=3&_HLS_part=1';
  let answers = 0;
  await new Promise((resolve, reject) => new Loader({}).load({ url }, {}, {
    onSuccess: () => { answers++; setTimeout(resolve, 10); },
    onError: (e) => reject(new Error(e.text)),
  }));
  assert.equal(answers, 1);
  assert.deepEqual(http, [url]);
  assert.equal(node.partLoads.length, 1);
  assert.equal(node.partLoads[0].via, 'playlist');
  assert.equal(node.partLoads[0].name, 'index.m3u8?_HLS_msn=3&_HLS_part=1');
});

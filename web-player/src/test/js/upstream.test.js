// p2p/upstream.js: a parent link stuck before opening (ICE checking) is given up and reported within seconds.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LINK_OPEN_HARD_TIMEOUT_MS, LINK_OPEN_TIMEOUT_MS, Upstream } from '../../main/web/p2p/upstream.js';

function pageNode() {
  const sent = [];
  return { sent, stats: {}, signalling: { send: (m) => sent.push(m) } };
}

/** A link as ParentLink looks from outside, never opening. */
function stuckLink(parentId) {
  return { parentId, closed: false, close(why) { this.closed = true; this.why = why; } };
}

test('a pending link not open after the timeout is closed and its parent reported starving, once', () => {
  const node = pageNode();
  const up = new Upstream(node, () => {}, () => {});
  const link = stuckLink('P');
  up.pending = link;
  up.pendingSince = 10_000;
  up.checkStarving(10_000 + LINK_OPEN_TIMEOUT_MS);
  assert.equal(link.closed, false);
  up.checkStarving(10_000 + LINK_OPEN_TIMEOUT_MS + 1);
  assert.equal(link.closed, true);
  assert.equal(up.pending, null);
  assert.deepEqual(node.sent.map((m) => [m.type, m.about, m.reason]), [['report', 'P', 'starving']]);
  up.checkStarving(10_000 + LINK_OPEN_TIMEOUT_MS + 250);
  assert.equal(node.sent.length, 1);
});

test('a link whose ICE connected gets longer to open its channel (a starved CPU), not forever', () => {
  const node = pageNode();
  const up = new Upstream(node, () => {}, () => {});
  const link = Object.assign(stuckLink('P'), { pc: { iceConnectionState: 'connected' } });
  up.pending = link;
  up.pendingSince = 0;
  up.checkStarving(LINK_OPEN_TIMEOUT_MS + 1);
  assert.equal(link.closed, false);
  up.checkStarving(LINK_OPEN_HARD_TIMEOUT_MS + 1);
  assert.equal(link.closed, true);
  assert.equal(node.sent.length, 1);
});

test('an open link whose parent supplies nothing while HTTP heals the stream is reported starving', () => {
  const node = pageNode();
  node.stats.bytesByFallback = 0;
  const up = new Upstream(node, () => {}, () => {});
  const link = stuckLink('P');
  up.pending = link;
  up.linkOpened(link);
  assert.equal(up.link, link);
  for (let now = 250; now <= 10_500; now += 250) {
    node.stats.bytesByFallback += 32_000; // the gap filler heals what the parent withholds
    up.checkStarving(now);
  }
  assert.deepEqual(node.sent.map((m) => [m.type, m.about, m.reason]), [['report', 'P', 'starving']]);
  assert.match(node.sent[0].detail, /supplied 0% of the last 10 s/);
});

test('a page under the root does not report it: there is nowhere else to go', () => {
  const node = pageNode();
  node.depth = 1;
  node.stats.bytesByFallback = 0;
  const up = new Upstream(node, () => {}, () => {});
  const link = stuckLink('origin');
  up.pending = link;
  up.linkOpened(link);
  for (let now = 250; now <= 30_000; now += 250) {
    node.stats.bytesByFallback += 32_000;
    up.checkStarving(now);
  }
  assert.deepEqual(node.sent, []);
});

// p2p/upstream.js: a parent link stuck before opening (ICE checking) is given up and reported within seconds.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LINK_OPEN_HARD_TIMEOUT_MS, LINK_OPEN_TIMEOUT_MS, NO_PATH_MEMORY_MS, Upstream } from '../../main/web/p2p/upstream.js';

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
  assert.equal(node.sent[0].share, 0, 'the measured share goes with the report (a withholder)');
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

const TURN = [{ urls: 'stun:203.0.113.10:3478' }, { urls: ['turn:203.0.113.10:3478?transport=udp'], username: 'u', credential: 'c' }];

/** An Upstream whose links are recorded, not opened; `iceServers` as the welcome gave them. */
function recordingUpstream(iceServers) {
  const node = Object.assign(pageNode(), { store: {}, iceServers });
  node.signalling.signal = () => {};
  const up = new Upstream(node, () => {}, () => {});
  const made = [];
  up.newLink = (parentId, servers, events, options) => {
    const link = Object.assign(stuckLink(parentId), { relayOnly: options.relayOnly, pc: { iceConnectionState: 'checking' } });
    made.push(link);
    return link;
  };
  return { node, up, made };
}

test('with nowhere else to go, the page links to its parent again, through TURN only once ICE found no direct path', () => {
  const { node, up, made } = recordingUpstream(TURN);
  up.connectTo('B');
  const began = up.pendingSince;
  assert.equal(made[0].relayOnly, false);
  up.checkStarving(began + LINK_OPEN_TIMEOUT_MS + 1); // ICE still checking: no path, reported
  assert.equal(made[0].closed, true);
  // The coordinator had no other place (report-ignored): no reparent comes. 5 s later it reports again, and retries.
  up.checkStarving(began + LINK_OPEN_TIMEOUT_MS + 5_002);
  assert.equal(made.length, 2);
  assert.equal(made[1].parentId, 'B');
  assert.equal(made[1].relayOnly, true);
  assert.equal(node.stats.relayOnlyLinks, 1);
  assert.deepEqual(node.sent.map((m) => m.reason), ['starving', 'starving']);
});

test('without a TURN server, the retry is a plain one; a parent that was reached directly keeps direct links', () => {
  const stunOnly = recordingUpstream([{ urls: 'stun:203.0.113.10:3478' }]);
  stunOnly.up.connectTo('B');
  const began = stunOnly.up.pendingSince;
  stunOnly.up.checkStarving(began + LINK_OPEN_TIMEOUT_MS + 1);
  stunOnly.up.checkStarving(began + LINK_OPEN_TIMEOUT_MS + 5_002);
  assert.equal(stunOnly.made[1].relayOnly, false);
  const { up, made } = recordingUpstream(TURN);
  up.connectTo('C');
  up.connectTo('D'); // a reparent before any failure
  assert.deepEqual(made.map((l) => l.relayOnly), [false, false]);
});

test('TURN only is remembered for a while, not for good: a minute later the parent is tried directly again', (t) => {
  const { up, made } = recordingUpstream(TURN);
  up.connectTo('B');
  const began = up.pendingSince;
  up.checkStarving(began + LINK_OPEN_TIMEOUT_MS + 1);
  up.checkStarving(began + LINK_OPEN_TIMEOUT_MS + 5_002);
  assert.equal(made[1].relayOnly, true);
  t.mock.method(Date, 'now', () => began + LINK_OPEN_TIMEOUT_MS + 1 + NO_PATH_MEMORY_MS);
  up.connectTo('B', true);
  assert.equal(made[2].relayOnly, false);
});

// p2p/downstream.js: a child is skipped once its queue holds 2 s of the stream, whatever the stream's bitrate.
import assert from 'node:assert/strict';
import test from 'node:test';
import { HIGH_WATER_SECONDS, MIN_HIGH_WATER, highWater } from '../../main/web/p2p/downstream.js';

/** A store whose newest segment is `byteLength` bytes over `durationMillis`. */
function storeOf(byteLength, durationMillis) {
  return { sequences: () => [7, 8], header: (q) => (q === 8 ? { header: { byteLength, durationMillis } } : null) };
}

test('the high water is 2 s of the newest segment, never below the floor', () => {
  assert.equal(highWater(storeOf(1_500_000, 2000)), HIGH_WATER_SECONDS * 750_000); // 6 Mbit/s: 1.5 MB
  assert.equal(highWater(storeOf(250_000, 2000)), MIN_HIGH_WATER); // 1 Mbit/s: 250 kB < the 1 MiB floor
  assert.equal(highWater({ sequences: () => [] }), MIN_HIGH_WATER);
});

import { Downstream, PROVEN_MS } from '../../main/web/p2p/downstream.js';

/** A Downstream over a 1 Mbit/s stream (250 kB per 2 s segment) with children {openedAt, lastSkippedAt}. */
function downstreamWith(children) {
  const d = new Downstream({ store: storeOf(250_000, 2000), stats: {} });
  children.forEach((c, i) => d.children.set('c' + i, Object.assign({ isOpen: () => true, buffered: () => 0 }, c)));
  return d;
}

test('children fed without a skip for 10 s count as uplink the burst figure missed; a skipped or new one does not', () => {
  const now = 100_000;
  // A lossy edge: one child's backlog drained at 900 kbit/s, under one stream, while the child was fed fine.
  const d = downstreamWith([{ openedAt: now - 30_000, lastSkippedAt: -Infinity }]);
  d.uplink.samples.push({ at: now - 1000, kbps: 900 });
  assert.equal(d.uplinkKbps(now), 1250); // 1 Mbit/s ÷ 0.8: the coordinator keeps its one slot
  const two = downstreamWith([{ openedAt: now - 30_000, lastSkippedAt: -Infinity },
    { openedAt: now - 30_000, lastSkippedAt: now - PROVEN_MS + 1 }, { openedAt: now - 2000, lastSkippedAt: -Infinity }]);
  two.uplink.samples.push({ at: now - 1000, kbps: 900 });
  assert.equal(two.uplinkKbps(now), 1250); // the skipped one and the new one prove nothing
  assert.equal(downstreamWith([]).uplinkKbps(now), null); // nothing sent, nothing known
  // Without a burst figure the floor is not sent alone: the coordinator keeps the page's slots.
  assert.equal(downstreamWith([{ openedAt: now - 30_000, lastSkippedAt: -Infinity }]).uplinkKbps(now), null);
  const fast = downstreamWith([{ openedAt: now - 30_000, lastSkippedAt: -Infinity }]);
  fast.uplink.samples.push({ at: now - 1000, kbps: 20_000 });
  assert.equal(fast.uplinkKbps(now), 20_000); // the burst figure when it is the larger
});

import { askForParts, ASK_PARTS } from '../../main/web/p2p/parts.js';

/** An LL page's Downstream: a part store whose backlog is two frames, children recording what they are sent. */
function llDownstream(ids) {
  const node = { store: storeOf(250_000, 2000), stats: {}, segmentsWanted: false, asked: 0,
    parts: { backlog: () => [new Uint8Array([1, 7]), new Uint8Array([1, 5])], bytesPerSecond: () => 0 },
    needSegments() { this.segmentsWanted = true; this.asked++; } };
  const d = new Downstream(node);
  for (const id of ids) {
    d.children.set(id, { childId: id, sent: [], wantsParts: false, wantsSegments: true, isOpen: () => true,
      buffered: () => 0, send(bytes) { this.sent.push(bytes[1]); return true; } });
  }
  return { d, node };
}

test('a child asking for parts only gets the backlog and parts, no segments; one asking for both gets both', () => {
  const { d, node } = llDownstream(['only', 'both', 'classic']);
  d.fromChild(d.children.get('only'), askForParts(false));
  d.fromChild(d.children.get('both'), ASK_PARTS);
  assert.equal(node.asked, 1, 'a child wants segments: the page asks its parent for them');
  d.broadcast(new Uint8Array([1, 1]));
  d.broadcastPart(new Uint8Array([1, 6]));
  assert.deepEqual(d.children.get('only').sent, [7, 5, 6]);
  assert.deepEqual(d.children.get('both').sent, [7, 5, 1, 6]);
  assert.deepEqual(d.children.get('classic').sent, [1], 'never asked: segments only');
  d.fromChild(d.children.get('both'), askForParts(false));
  d.broadcast(new Uint8Array([1, 1]));
  assert.deepEqual(d.children.get('both').sent, [7, 5, 1, 6], 'asked again for parts only: no second backlog');
});

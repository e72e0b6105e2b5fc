// p2p/uplink.js: the page's upload is what its queues drained while they were the bottleneck.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LONG_BUSY_MS, UplinkMeter, WINDOW_MS } from '../../main/web/p2p/uplink.js';

test('a burst that drains gives its rate; a small one or none gives nothing', () => {
  const m = new UplinkMeter();
  assert.equal(m.kbps(0), null);
  // A new child's backlog: 750 kB queued at once, drained 300 ms later: 20 Mbit/s.
  for (let i = 0; i < 12; i++) m.sent(1000, 62_500, i === 0 ? 0 : 1, i % 2 ? 'a' : 'b'); // two children
  m.check(1100, 400_000); // still draining, not yet a long backlog
  m.check(1300, 0);
  assert.equal(m.kbps(1300), 20_000);
  const small = new UplinkMeter();
  small.sent(0, 64 * 1024, 0, 'a');
  small.sent(0, 64 * 1024, 1, 'b');
  small.check(5, 0); // one chunk: timers, not the uplink
  assert.equal(small.kbps(5), null);
});

test('a backlog that never drains is sampled from what left the queues', () => {
  const m = new UplinkMeter();
  m.sent(0, 250_000, 0, 'a');
  m.sent(0, 250_000, 1, 'b');
  // After LONG_BUSY_MS 375 kB are still queued: 125 kB left in 1 s, 1 Mbit/s.
  m.check(LONG_BUSY_MS, 375_000);
  assert.equal(m.kbps(LONG_BUSY_MS), 1000);
  // The rest opens the next sample: another 250 kB queued, 375 kB still there a second later: 250 kB in 1 s.
  m.sent(LONG_BUSY_MS + 10, 250_000, 375_000, 'a');
  m.check(2 * LONG_BUSY_MS, 375_000);
  assert.equal(m.kbps(2 * LONG_BUSY_MS), 2000);
});

test('frames queued while others wait extend the busy period; old samples are forgotten', () => {
  const m = new UplinkMeter();
  m.sent(0, 100_000, 0, 'a');
  m.sent(50, 100_000, 60_000, 'b');
  m.check(100, 0);
  assert.equal(m.kbps(100), 16_000);
  assert.equal(m.kbps(100 + WINDOW_MS + 1), null);
});

test('one child alone measures its edge, not the uplink: no sample', () => {
  const m = new UplinkMeter();
  for (let i = 0; i < 12; i++) m.sent(1000, 62_500, i === 0 ? 0 : 1, 'a');
  m.check(1300, 0);
  assert.equal(m.kbps(1300), null);
});

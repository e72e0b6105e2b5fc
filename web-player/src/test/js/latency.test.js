// watch/latency.js: a low-latency player's target, raised by hls.js at each stall, is given back after a quiet period.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LatencyGiveBack, QUIET_MS } from '../../main/web/watch/latency.js';

/** An hls.js stand-in with its LatencyController's rule: one second more per stall, the setter clears the count. */
function fakeHls(partHoldBack) {
  const h = {
    handlers: [],
    stalls: 0,
    override: null,
    on(_event, fn) { this.handlers.push(fn); },
    get targetLatency() { return (this.override ?? partHoldBack) + Math.min(this.stalls, 2); },
    set targetLatency(v) { this.override = v; this.stalls = 0; },
    stall() { this.stalls++; this.handlers.forEach((fn) => fn('hlsError', { details: 'bufferStalledError' })); },
  };
  return h;
}

function rig(partHoldBack = 1) {
  const clock = { t: 0 };
  const hls = fakeHls(partHoldBack);
  const g = new LatencyGiveBack(hls, { ERROR: 'hlsError' }, () => clock.t);
  const run = (ms) => { for (let i = 0; i < ms; i += 1000) { clock.t += 1000; g.tick(); } };
  return { clock, hls, g, run };
}

test('without a stall nothing changes', () => {
  const { hls, g, run } = rig();
  run(120000);
  assert.equal(hls.targetLatency, 1);
  assert.equal(g.givenBack, 0);
});

test('a stall raises the target; after a quiet period it is given back', () => {
  const { hls, g, run } = rig();
  run(5000);
  hls.stall();
  assert.equal(hls.targetLatency, 2);
  run(QUIET_MS - 1000);
  assert.equal(hls.targetLatency, 2, 'not before the quiet period');
  run(2000);
  assert.equal(hls.targetLatency, 1);
  assert.equal(g.givenBack, 1);
});

test('a stall within the quiet period restarts it, and each give-back doubles the next one', () => {
  const { hls, run } = rig();
  run(5000);
  hls.stall();
  run(QUIET_MS / 2);
  hls.stall();
  run(QUIET_MS - 2000);
  assert.equal(hls.targetLatency, 3, 'the second stall restarted the wait');
  run(3000);
  assert.equal(hls.targetLatency, 1);
  hls.stall();
  run(QUIET_MS + 2000);
  assert.equal(hls.targetLatency, 2, 'the second give-back needs twice as long');
  run(QUIET_MS);
  assert.equal(hls.targetLatency, 1);
});

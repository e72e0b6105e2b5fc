// p2p/starvation.js: an open link whose parent supplies less than half of the stream is reported.
import assert from 'node:assert/strict';
import test from 'node:test';
import { SILENCE_MS, StarvationWatch, WINDOW_MS } from '../../main/web/p2p/starvation.js';

const TICK = 250;
const PER_TICK = 32000;

function driver() {
  const watch = new StarvationWatch();
  const d = { watch, now: 1e6, fromParent: 0, healed: 0 };
  /** `ms` of ticks with the parent supplying `share`; the first report's share, or -1. */
  d.run = (ms, share) => {
    let reported = -1;
    for (let t = 0; t < ms; t += TICK) {
      d.now += TICK;
      d.fromParent += Math.round(PER_TICK * share);
      d.healed += Math.round(PER_TICK * (1 - share));
      const r = watch.check(d.now, d.fromParent, d.healed);
      if (r && reported < 0) {
        reported = r.share;
        d.detail = r.detail;
      }
    }
    return reported;
  };
  return d;
}

test('a parent that supplies the stream, or loses a few chunks to HTTP, is never reported', () => {
  const d = driver();
  d.watch.linkOpened();
  assert.equal(d.run(60000, 1), -1);
  assert.equal(d.run(60000, 0.8), -1);
});

test('a withholding parent is reported once a whole window has passed, then again a window later', () => {
  const d = driver();
  d.watch.linkOpened();
  assert.equal(d.run(WINDOW_MS - TICK, 0), -1);
  assert.equal(d.run(2 * TICK, 0), 0);
  assert.equal(d.run(WINDOW_MS - 2 * TICK, 0), -1);
  assert.equal(d.run(2 * TICK, 0), 0);
});

test('a slow parent is reported with its share', () => {
  const d = driver();
  d.watch.linkOpened();
  assert.ok(Math.abs(d.run(12000, 0.3) - 0.3) < 0.02);
});

test('what came over HTTP before the link opened, or while it is closed, does not count', () => {
  const d = driver();
  d.run(20000, 0);
  d.watch.linkOpened();
  assert.equal(d.run(WINDOW_MS + TICK, 0.9), -1);
  d.watch.linkClosed();
  assert.equal(d.run(20000, 0), -1);
});

test('a parent that goes silent after delivering is reported after SILENCE_MS, not a whole window', () => {
  const d = driver();
  d.watch.linkOpened();
  assert.equal(d.run(30000, 1), -1);
  assert.equal(d.run(SILENCE_MS - TICK, 0), -1);
  const share = d.run(2 * TICK, 0);
  // its share of the window it was judged over: most of it came before the silence
  assert.ok(share > 0.6 && share < 0.8, String(share));
  assert.match(d.detail, /nothing for 3 s/);
  // once reported, the next report needs new deliveries or a whole window
  assert.equal(d.run(WINDOW_MS - 2 * TICK, 0), -1);
});

test('a link whose parent never delivered is judged by the window alone; a slow one is not silent', () => {
  const d = driver();
  d.watch.linkOpened();
  assert.equal(d.run(WINDOW_MS - TICK, 0), -1);
  const slow = driver();
  slow.watch.linkOpened();
  assert.equal(slow.run(20000, 1), -1);
  // a quarter of the stream from the parent, never a silent 3 s: the window's rule, once it tips
  const share = slow.run(12000, 0.25);
  assert.ok(share > 0 && share < 0.5, String(share));
  assert.match(slow.detail, /% of the last 10 s/);
});

test('silence while nothing comes over HTTP either (the stream paused) is not reported', () => {
  const d = driver();
  d.watch.linkOpened();
  assert.equal(d.run(20000, 1), -1);
  for (let t = 0; t < 20000; t += TICK) {
    d.now += TICK;
    assert.equal(d.watch.check(d.now, d.fromParent, d.healed), null);
  }
});

// p2p/backoff.js: the reconnect back-off, the same as Java's Backoff.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Backoff, FIRST_MS, MAX_MS } from '../../main/web/p2p/backoff.js';

test('each retry waits between half and all of a doubling base capped at 4 s', () => {
  const low = new Backoff(() => 0);
  const high = new Backoff(() => 0.999999);
  for (const b of [250, 500, 1000, 2000, 4000, 4000, 4000]) {
    assert.equal(low.next(), b / 2);
    const d = high.next();
    assert.ok(d > b * 0.99 && d <= b, `${d} near ${b}`);
  }
  for (let i = 0; i < 100; i++) assert.equal(low.next(), MAX_MS / 2);
});

test('a reset starts again from the first delay', () => {
  const b = new Backoff(() => 0);
  for (let i = 0; i < 6; i++) b.next();
  b.reset();
  assert.equal(b.next(), FIRST_MS / 2);
});

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

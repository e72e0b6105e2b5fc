// p2p/delivery.js and the loader's deadline: the wait for the store leaves room for what HTTP costs this page.
import assert from 'node:assert/strict';
import test from 'node:test';
import { DeliveryCost, MIN_MARGIN_MS, MIN_PART_MARGIN_MS, PART_FETCH_KEPT_MS } from '../../main/web/p2p/delivery.js';
import { SEGMENT_DEADLINE_MS, segmentDeadline } from '../../main/web/p2p/loader.js';

test('before anything is measured the margin is the floor', () => {
  assert.equal(new DeliveryCost().marginMs(), MIN_MARGIN_MS);
});

test('the margin follows the worst of the last four fetches and appends, with headroom', () => {
  const cost = new DeliveryCost();
  cost.noteFetch(400);
  cost.noteAppend(840);
  assert.equal(cost.marginMs(), 1.5 * 1240);
  for (const ms of [100, 100, 100, 100]) cost.noteFetch(ms); // the 400 ms fetch has aged out
  assert.equal(cost.marginMs(), 1.5 * 940);
  cost.noteAppend(Number.NaN); // ignored
  assert.equal(cost.marginMs(), 1.5 * 940);
});

test('an idle page waits for the store; a slow one turns to HTTP at once', () => {
  assert.equal(segmentDeadline(8), SEGMENT_DEADLINE_MS);
  assert.equal(segmentDeadline(1.92), 920);
  assert.equal(segmentDeadline(1.8, 1.5 * (408 + 839)), 0); // a fetch of 408 ms and an append of 839 ms, seen on a loaded machine
  assert.equal(segmentDeadline(0), 0);
});

test('a part fetch sets the part margin for a while: one that beat the store once does not send every part to HTTP', () => {
  let now = 0;
  const cost = new DeliveryCost(() => now);
  assert.equal(cost.partMarginMs(), MIN_PART_MARGIN_MS);
  cost.noteAppend(60);
  cost.notePartFetch(540); // under load
  assert.equal(cost.partMarginMs(), 1.5 * 600);
  now += PART_FETCH_KEPT_MS + 1; // the store has brought every part since: nothing fetched, nothing measured
  assert.equal(cost.partMarginMs(), MIN_PART_MARGIN_MS);
});

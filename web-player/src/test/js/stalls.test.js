// watch/stalls.js: each stall is put down to data late (ours) or a busy page (the device's CPU).
import assert from 'node:assert/strict';
import test from 'node:test';
import { PAGE_BUSY_MS, StallWatch } from '../../main/web/watch/stalls.js';

/** A <video> as StallWatch reads it: currentTime, buffered ranges and seeking. */
function fakeVideo(currentTime, ranges) {
  return {
    currentTime,
    seeking: false,
    buffered: { length: ranges.length, start: (i) => ranges[i][0], end: (i) => ranges[i][1] },
  };
}

function newState() {
  return { waitingAfterStart: 0, stallsDataLate: 0, stallsPageBusy: 0, stalledMs: 0 };
}

test('a stall with the next fragment nowhere is data late, and its time is counted', () => {
  let now = 0;
  const state = newState();
  const watch = new StallWatch(fakeVideo(7.96, [[6, 8]]), state, () => now);
  watch.waiting();
  now = 1200;
  watch.playing();
  assert.deepEqual(state, { waitingAfterStart: 1, stallsDataLate: 1, stallsPageBusy: 0, stalledMs: 1200 });
});

test('a stall while the player has held the next fragment for a second is the page being busy', () => {
  let now = 0;
  const state = newState();
  const watch = new StallWatch(fakeVideo(7.96, [[6, 8]]), state, () => now);
  watch.loaded({ sn: 5, start: 8, duration: 2 });
  now = PAGE_BUSY_MS + 1;
  watch.waiting();
  assert.equal(state.stallsPageBusy, 1);
  assert.equal(state.stallsDataLate, 0);
});

test('a fragment that only just arrived does not excuse the stall', () => {
  let now = 0;
  const state = newState();
  const watch = new StallWatch(fakeVideo(7.96, [[6, 8]]), state, () => now);
  watch.loaded({ sn: 5, start: 8, duration: 2 });
  now = 300;
  watch.waiting();
  assert.equal(state.stallsDataLate, 1);
});

test('a held fragment elsewhere on the timeline, or one already buffered, does not count', () => {
  let now = 0;
  const state = newState();
  const watch = new StallWatch(fakeVideo(7.96, [[6, 8]]), state, () => now);
  watch.loaded({ sn: 9, start: 16, duration: 2 });
  watch.loaded({ sn: 5, start: 8, duration: 2 });
  assert.equal(watch.buffered({ sn: 5 }), 0);
  now = 5000;
  watch.waiting();
  assert.equal(state.stallsDataLate, 1);
  assert.equal(state.stallsPageBusy, 0);
});

test('a waiting during a seek is not a stall, nor is a second waiting within one stall', () => {
  const state = newState();
  const video = fakeVideo(4.1, [[4, 6]]);
  const watch = new StallWatch(video, state, () => 0);
  video.seeking = true;
  watch.waiting();
  assert.equal(state.waitingAfterStart, 0);
  video.seeking = false;
  watch.waiting();
  watch.waiting();
  assert.equal(state.waitingAfterStart, 1);
});

test('buffered() reports how long a fragment took from loaded to buffered', () => {
  let now = 100;
  const watch = new StallWatch(fakeVideo(0, []), newState(), () => now);
  watch.loaded({ sn: 1, start: 0, duration: 2 });
  now = 450;
  assert.equal(watch.buffered({ sn: 1 }), 350);
  assert.equal(watch.buffered({ sn: 1 }), null);
});

test("a stall's report names the buffer's ranges and the fragments held but not buffered", () => {
  let now = 0;
  const watch = new StallWatch(fakeVideo(39.9, [[30, 40.08], [42, 44]]), newState(), () => now);
  watch.loaded({ sn: 20, start: 40, duration: 2 });
  now = 350;
  assert.equal(watch.bufferedRanges(), '30.00-40.08 42.00-44.00');
  assert.equal(watch.heldFragments(), '20@40.0 (350 ms)');
});

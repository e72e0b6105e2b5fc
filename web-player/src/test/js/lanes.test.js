// p2p/lanes.js: which lanes of an edge carry a frame. A chunk must never reach a lane before its segment's header
// (each lane is ordered, the lanes are not ordered with each other), and chunks go where the queue is shortest.
import assert from 'node:assert/strict';
import test from 'node:test';
import { DEFAULT_LANES, MAX_LANES, laneOf, lanesFor, lanesOption, withLane } from '../../main/web/p2p/lanes.js';
import { decodeFrame, encodeChunkFrame, encodeControlFrame, encodeHeaderFrame } from '../../main/web/p2p/frames.js';
import { encodeHeader } from '../../main/web/p2p/header.js';

// Frames as the senders hand them over: decoded (from the parent) or just encoded (backlog, fallback).
function header(sequence) {
  const bytes = encodeHeader({ stream: 's', sequence, durationMillis: 2000, byteLength: 10, chunkSize: 65536,
    producedAtMillis: 1, discontinuity: false, discontinuitySequence: 0, chunkHashes: [new Uint8Array(32)] });
  return decodeFrame(encodeHeaderFrame(bytes, new Uint8Array(64)));
}

const chunk = (sequence) => decodeFrame(encodeChunkFrame(sequence, 0, new Uint8Array([1, 2, 3])));
const control = decodeFrame(encodeControlFrame('{"type":"x"}'));

/** A lane with a settable queue; lane 0 carries every segment. */
function lane(index, queued = 0, open = true) {
  return { index, queued, open, isOpen() { return this.open; }, buffered() { return this.queued; },
    firstSequence: index === 0 ? -Infinity : null };
}

test('a header goes on every open lane, and marks where a new lane\'s segments begin', () => {
  const lanes = [lane(0), lane(1), lane(2, 0, false)];
  assert.deepEqual(lanesFor(lanes, header(7)).map((l) => l.index), [0, 1]);
  assert.equal(lanes[1].firstSequence, 7);
  assert.equal(lanes[2].firstSequence, null); // closed: it carries nothing
  lanesFor(lanes, header(8));
  assert.equal(lanes[1].firstSequence, 7); // the first header only
});

test('a chunk goes on the shortest queue among the lanes that carried its header', () => {
  const lanes = [lane(0, 5000), lane(1, 100)];
  assert.deepEqual(lanesFor(lanes, chunk(6)).map((l) => l.index), [0]); // lane 1 has not carried header 6
  lanesFor(lanes, header(7));
  assert.deepEqual(lanesFor(lanes, chunk(6)).map((l) => l.index), [0]); // an old segment: still lane 0 only
  assert.deepEqual(lanesFor(lanes, chunk(7)).map((l) => l.index), [1]);
  lanes[1].queued = 9000;
  assert.deepEqual(lanesFor(lanes, chunk(7)).map((l) => l.index), [0]);
});

test('window, control and part frames go on lane 0; nothing goes anywhere when no lane is open', () => {
  const lanes = [lane(0, 9000), lane(1)];
  lanesFor(lanes, header(3));
  assert.deepEqual(lanesFor(lanes, control).map((l) => l.index), [0]);
  assert.deepEqual(lanesFor(lanes, { type: 'window', firstSequence: 1, lastSequence: 3 }).map((l) => l.index), [0]);
  assert.deepEqual(lanesFor(lanes, null).map((l) => l.index), [0]); // a part frame: not a segment's
  assert.deepEqual(lanesFor([lane(0, 0, false)], chunk(3)), []);
  assert.deepEqual(lanesFor([lane(0, 0, false), lane(1)], control), []);
});

test('signals name their lane; out-of-range lanes are refused; the count asked for is bounded', () => {
  assert.equal(laneOf({ type: 'offer' }), 0);
  assert.equal(laneOf({ type: 'offer', lane: 2 }), 2);
  assert.equal(laneOf({ lane: MAX_LANES }), -1);
  assert.equal(laneOf({ lane: -1 }), -1);
  assert.equal(laneOf({ lane: '1' }), -1);
  assert.deepEqual(withLane({ candidate: 'c' }, 0), { candidate: 'c' });
  assert.deepEqual(withLane({ candidate: 'c' }, 3), { candidate: 'c', lane: 3 });
  assert.equal(lanesOption(null), DEFAULT_LANES);
  assert.equal(lanesOption('1'), 1);
  assert.equal(lanesOption('9'), DEFAULT_LANES);
  assert.equal(lanesOption('x'), DEFAULT_LANES);
});

// Lanes: one tree edge carried by more than one RTCPeerConnection, each with its own SCTP association. On a lossy
// home-to-home path one association's congestion window caps the edge near segment size ÷ (RTT × √loss): in the
// field lab (0.5 % loss at each home, ~120 ms RTT) a booster-to-home edge carried ~1.1 Mbit/s of a 1 Mbit/s
// stream, its queue never drained, headers waited 1.5 s behind the last segment's chunks and the child took half
// its bytes over HTTP. Each lane's window grows and halves on its own losses, so k lanes carry ~k times as much,
// and a loss on one lane blocks only that lane's messages. relay-node's PeerEdge follows the same rule.
//
// The rule, for a frame sent down an edge:
// - a HEADER goes on every open lane (it is small), and a lane's first header marks where its segments begin;
// - a CHUNK goes on the open lane with the least queued that carried its segment's header (lane 0 carried them
//   all, the backlog included): each lane is ordered, so a chunk never reaches a child before its header;
// - anything else (window, control) goes on lane 0.

/** Lanes a page opens to its parent unless told otherwise (`?lanes=N`). */
export const DEFAULT_LANES = 2;
/** The most lanes one edge may have: a child asking for more is refused the extra offers. */
export const MAX_LANES = 4;

/** The lane index a signal is for (0 when it names none), or -1 when it names one out of range. */
export function laneOf(data) {
  const lane = data && data.lane !== undefined ? data.lane : 0;
  return Number.isInteger(lane) && lane >= 0 && lane < MAX_LANES ? lane : -1;
}

/** `data` as lane `index`'s signal (lane 0's carry no field: what a single-lane peer sends). */
export function withLane(data, index) {
  return index === 0 ? data : Object.assign({}, data, { lane: index });
}

/** The lanes a page opens: `asked` (a page's `?lanes=N`) when it is 1..MAX_LANES, else the default. */
export function lanesOption(asked) {
  const n = Number(asked);
  return asked != null && asked !== '' && Number.isInteger(n) && n >= 1 && n <= MAX_LANES ? n : DEFAULT_LANES;
}

/**
 * The lanes a frame goes on, by the rule above. The frame comes decoded, as the sender has it at hand (it just
 * decoded or encoded it): read here from its bytes, it would be decoded again for every child.
 * @param {Array<{index: number, isOpen: () => boolean, buffered: () => number, firstSequence: number|null}>} lanes
 *        lane 0 first; `firstSequence` is null until a lane carried a header (lane 0's is -Infinity)
 * @param {import('./frames.js').Frame|null} frame  what is sent, decoded; null for another kind (a part, an ask)
 * @returns {Array} the chosen lanes (empty when none is open)
 */
export function lanesFor(lanes, frame) {
  const open = lanes.filter((l) => l.isOpen());
  if (open.length === 0) return [];
  const type = frame ? frame.type : null;
  if (type === 'header') {
    for (const lane of open) if (lane.firstSequence === null) lane.firstSequence = frame.header.sequence;
    return open;
  }
  if (type !== 'chunk') return open[0].index === 0 ? [open[0]] : [];
  let best = null;
  for (const lane of open) {
    if (lane.firstSequence === null || lane.firstSequence > frame.sequence) continue;
    if (best === null || lane.buffered() < best.buffered()) best = lane;
  }
  return best === null ? [] : [best];
}

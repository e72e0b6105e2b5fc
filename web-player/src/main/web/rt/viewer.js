// /watch/<stream> for a realtime stream (watch.js hands over when the stream's type is "realtime"): the page
// joins the tree as a viewer (`?upload=0`: never gets children), plays its parent's tracks in the video element
// and forwards them to its children (node.js). Fills window.waterfall.state for the stats line and tests.

import { RealtimeNode } from './node.js';

const STATE_MS = 250;
const RETRY_MS = 2000;

/**
 * @param {{state: Object, video: HTMLVideoElement}} waterfall  window.waterfall of watch.js
 * @param {URLSearchParams} params
 */
export async function play(waterfall, params) {
  const state = waterfall.state;
  const video = waterfall.video;
  Object.assign(state, { mode: 'realtime', phase: 'loading', framesDecoded: 0, pendingParentId: null,
    lastSwitchMs: null, parentChanges: 0 });
  const node = new RealtimeNode({
    stream: state.stream,
    upload: params.get('upload') !== '0',
    onTracks: (stream) => {
      video.srcObject = stream;
      video.play().catch((e) => { state.error = 'play refused: ' + e.name; });
    },
  });
  waterfall.realtime = node;
  // watch.js's stats line knows HLS only: this line under it tells the realtime side.
  const line = document.createElement('p');
  line.className = 'stats';
  (document.getElementById('stats') || video).after(line);
  setInterval(() => {
    state.nodeId = node.nodeId;
    state.parentId = node.parentId;
    state.pendingParentId = node.pending ? node.pending.parentId : null;
    state.depth = node.depth;
    state.upload = node.upload;
    state.children = node.childCount;
    state.framesDecoded = node.framesDecoded;
    state.bytesFromParent = node.bytesReceived;
    state.lastSwitchMs = node.stats.lastSwitchMs;
    state.parentChanges = node.stats.parentChanges;
    state.p2p = { error: node.error, links: node.links() };
    state.audio = node.audioStats();
    if (node.error) state.error = node.error;
    line.textContent = ['realtime', 'depth ' + (state.depth ?? '—'), 'parent ' + (state.parentId || '—')
      + (state.pendingParentId ? ' → ' + state.pendingParentId : ''), 'frames ' + state.framesDecoded,
    'children ' + state.children + (state.upload ? '' : ' (upload off)'),
    'last switch ' + (state.lastSwitchMs === null ? '—' : state.lastSwitchMs + ' ms')].join(' · ');
  }, STATE_MS);
  for (;;) {
    try {
      await node.start();
      state.error = null;
      return node;
    } catch (e) {
      // No such stream yet, or no slot: say so and ask again.
      state.phase = 'error';
      state.error = e.message;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

// /watch/<stream> for a realtime stream (watch.js hands over when the stream's type is "realtime"): the page
// joins the tree as a viewer (`?upload=0`: never gets children), plays its parent's tracks in the video element
// and forwards them to its children (node.js). Fills window.waterfall.state for the stats line and tests, and
// gives watch.js's stats overlay its realtime rows (window.waterfall.overlayRows).

import { RealtimeNode } from './node.js';
import { readClock } from './clock.js';

const STATE_MS = 250;
const RETRY_MS = 2000;
/** Frame rate and bitrate are measured over at least this long. */
const RATE_MS = 1000;

/**
 * @param {{state: Object, video: HTMLVideoElement}} waterfall  window.waterfall of watch.js
 * @param {URLSearchParams} params
 */
export async function play(waterfall, params) {
  const state = waterfall.state;
  const video = waterfall.video;
  Object.assign(state, { mode: 'realtime', phase: 'loading', framesDecoded: 0, pendingParentId: null,
    lastSwitchMs: null, lastSwitch: null, parentChanges: 0, fps: null, receivedKbps: null, glassToGlassMs: null });
  const node = new RealtimeNode({
    stream: state.stream,
    upload: params.get('upload') !== '0',
    onTracks: (stream) => {
      video.srcObject = stream;
      // The switch ends for the viewer when the new parent's first frame is on screen.
      const last = node.stats.lastSwitch;
      if (last && video.requestVideoFrameCallback) {
        video.requestVideoFrameCallback(() => { last.rendered = Date.now(); });
      }
      video.play().catch((e) => { state.error = 'play refused: ' + e.name; });
    },
  });
  waterfall.realtime = node;
  // watch.js's stats line knows HLS only: this line under it tells the realtime side.
  const line = document.createElement('p');
  line.className = 'stats';
  (document.getElementById('stats') || video).after(line);
  // Not state.bitrateKbps: watch.js's HLS figures write that one.
  const rate = { at: performance.now(), frames: 0, bytes: 0 };
  const scratch = document.createElement('canvas');
  waterfall.overlayRows = () => overlayRows(state, video, scratch, waterfall.shortId || ((id) => id || '—'));
  setInterval(() => {
    const now = performance.now();
    if (now - rate.at >= RATE_MS) {
      state.fps = Math.round((node.framesDecoded - rate.frames) * 10000 / (now - rate.at)) / 10;
      state.receivedKbps = Math.round((node.bytesReceived - rate.bytes) * 8 / (now - rate.at));
      Object.assign(rate, { at: now, frames: node.framesDecoded, bytes: node.bytesReceived });
    }
    state.nodeId = node.nodeId;
    state.parentId = node.parentId;
    state.pendingParentId = node.pending ? node.pending.parentId : null;
    state.depth = node.depth;
    state.upload = node.upload;
    state.children = node.childCount;
    state.framesDecoded = node.framesDecoded;
    state.bytesFromParent = node.bytesReceived;
    state.lastSwitchMs = node.stats.lastSwitchMs;
    state.lastSwitch = node.stats.lastSwitch;
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

/**
 * The overlay's rows for a realtime stream. Glass-to-glass is read from the picture itself when the publisher
 * sends rt/clock.js's clock (one machine's clock, or synchronised ones), only while the overlay is shown.
 */
function overlayRows(state, video, scratch, shortId) {
  let g2g = null;
  if (video.videoWidth > 0) {
    scratch.width = 320;
    scratch.height = 240;
    const sent = readClock(video, scratch);
    if (sent !== null) g2g = ((Date.now() % 2 ** 40) - sent + 2 ** 40) % 2 ** 40;
  }
  state.glassToGlassMs = g2g;
  return [
    ['mode', 'realtime'],
    ['depth', state.depth === null || state.depth === undefined ? '—' : String(state.depth)],
    ['parent', shortId(state.parentId) + (state.pendingParentId ? ' → ' + shortId(state.pendingParentId) : '')],
    ['children', state.children + (state.upload ? '' : ' (upload off)')],
    ['frames', String(state.framesDecoded)],
    ['fps', state.fps === null ? '—' : String(state.fps)],
    ['picture', video.videoWidth > 0 ? video.videoWidth + '×' + video.videoHeight : '—'],
    ['bitrate', state.receivedKbps === null ? '—' : state.receivedKbps + ' kbps'],
    ['glass-to-glass', g2g === null ? '— (no clock in the picture)' : g2g + ' ms'],
    ['last switch', state.lastSwitchMs === null ? '—' : state.lastSwitchMs + ' ms'],
    ['parent changes', String(state.parentChanges)],
  ];
}

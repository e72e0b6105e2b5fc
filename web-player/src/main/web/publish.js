// /publish/<stream>: the root of a realtime stream. The publisher gives the publish key (typed, or in the URL
// fragment `#key=…`, which browsers never send to the server, so it stays out of every log) and picks a camera
// with microphone (getUserMedia) or a screen (getDisplayMedia); the page then joins as the stream's origin and
// sends those tracks to each child that offers (rt/node.js). Switching source later replaces the tracks on every
// child edge without renegotiating. window.waterfall.state is what tests read.

import { RealtimeNode } from './rt/node.js';
import { Role } from './p2p/vocabulary.js';

const stream = decodeURIComponent(location.pathname.split('/')[2] || '');
const $ = (id) => document.getElementById(id);
const video = $('video');
const state = { mode: 'publish', stream: stream, phase: 'idle', source: null, nodeId: null, children: 0,
  childrenServed: 0, error: null };
const waterfall = { state: state, video: video, node: null, media: null };
window.waterfall = waterfall;

$('title').textContent = 'Waterfall · publish · ' + stream;
document.title = 'Waterfall · publish · ' + stream;
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('key')) {
  $('key').value = fragment.get('key');
  history.replaceState(null, '', location.pathname + location.search); // off the address bar (screen shares)
}

const CAMERA = { video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } }, audio: true };

async function capture(source) {
  if (source === 'screen') return navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
  const params = new URLSearchParams(location.search);
  // The latency benchmark's test picture (rt/clock.js); scripts start it with window.waterfall.start('clock').
  if (source === 'clock') return (await import('./rt/clock.js')).clockStream(Number(params.get('fps')) || 30);
  // ?width=&height=&fps= for a lighter picture (tests, weak uplinks).
  const video = Object.assign({}, CAMERA.video);
  if (params.get('width')) video.width = { ideal: Number(params.get('width')) };
  if (params.get('height')) video.height = { ideal: Number(params.get('height')) };
  if (params.get('fps')) video.frameRate = { ideal: Number(params.get('fps')) };
  return navigator.mediaDevices.getUserMedia({ video: video, audio: true });
}

function tracksOf(media) {
  return { video: media.getVideoTracks()[0] || null, audio: media.getAudioTracks()[0] || null };
}

async function go(source) {
  state.error = null;
  let media;
  try {
    media = await capture(source);
  } catch (e) {
    state.error = 'no ' + source + ': ' + e.message;
    return;
  }
  const old = waterfall.media;
  waterfall.media = media;
  state.source = source;
  video.srcObject = media;
  video.play().catch(() => {});
  // The browser's own "stop sharing" ends the video track: stop publishing it, keep the place.
  media.getVideoTracks().forEach((t) => t.addEventListener('ended', () => {
    if (waterfall.media === media) stop();
  }));
  if (waterfall.node) {
    waterfall.node.setTracks(tracksOf(media));
  } else {
    await join(media);
  }
  if (old) old.getTracks().forEach((t) => t.stop());
  $('stop').disabled = false;
}

async function join(media) {
  const key = $('key').value.trim();
  if (!key) {
    state.error = 'enter the publish key first';
    return;
  }
  state.phase = 'joining';
  const node = new RealtimeNode({ stream: stream, role: Role.ORIGIN, key: key, tracks: tracksOf(media) });
  try {
    await node.start();
  } catch (e) {
    state.phase = 'idle';
    state.error = e.message;
    node.close();
    return;
  }
  waterfall.node = node;
  state.phase = 'live';
  $('key').disabled = true;
}

function stop() {
  if (waterfall.media) waterfall.media.getTracks().forEach((t) => t.stop());
  waterfall.media = null;
  state.source = null;
  video.srcObject = null;
  if (waterfall.node) waterfall.node.setTracks({}); // children stay attached, and get the next source
  $('stop').disabled = true;
}

waterfall.start = go;
$('camera').addEventListener('click', () => go('camera'));
$('screen').addEventListener('click', () => go('screen'));
$('stop').addEventListener('click', stop);

setInterval(() => {
  const node = waterfall.node;
  if (node) {
    state.nodeId = node.nodeId;
    state.children = node.childCount;
    state.childrenServed = node.stats.childrenServed;
    state.audio = node.audioStats();
    if (node.error) state.error = node.error;
  }
  const parts = [state.phase + (state.source ? ' (' + state.source + ')' : ''), 'children ' + state.children];
  if (state.error) parts.push('error: ' + state.error);
  $('stats').textContent = parts.join(' · ');
  $('stats').classList.toggle('error', !!state.error);
}, 500);

// The player page: /watch/<stream>. Two ways to play:
// - P2P, the default wherever the browser can: the page joins the tree as a viewer (p2p/node.js), takes the
//   stream from its parent over a WebRTC DataChannel, verifies it into its store and plays it with hls.js through
//   p2p/loader.js, falling back to HTTP for what is late, and forwards it to its children (`?upload=0`: never
//   get children). Needs WebCrypto (a secure context: https, or localhost/127.0.0.1) with Ed25519,
//   RTCPeerConnection and MSE.
// - plain HLS over HTTP from the first fallback base the coordinator lists (origin or booster): what `?p2p=0`
//   forces, and what a browser without the above gets.
// - `?ll=1`: low-latency HLS (CMAF parts, blocking reload) with hls.js's lowLatencyMode, over HTTP.
//   `?ll=tree` (experimental): the same through the tree where the browser can (the playlist over HTTP from a
//   relay serving /ll/, the parts from the parent: p2p/loader.js). Not the default yet: in LlPagesIT its pages
//   stall once or twice each while another page starts on the 2-core machine (the origin's HTTP answers then
//   take 0.7-0.9 s too), which the plain LL page, opened last, never plays through (docs/benchmarks.md).
// Uploading (forwarding to child pages) is on unless `?upload=0`, the "share my upload" box is cleared, or the
// device is on a cellular connection, asks to save data or runs low on battery (then leaf-only unless the viewer
// ticks the box again). The stats overlay (button, or the key "s") shows where the page is in the tree and how
// it plays. window.waterfall.state is what tests, the stats line and the overlay read.
import { installOverlay, shortId } from '/web/watch/overlay.js';
import { showTokenPrompt, viewerToken as viewerTokenFor } from '/web/watch/token.js';
import { StallWatch } from '/web/watch/stalls.js';
import { LatencyGiveBack } from '/web/watch/latency.js';
import { newState, statsText, syncNodeState } from '/web/watch/state.js';
import { PlaybackFigures } from '/web/watch/playback.js';
import { UploadChoice } from '/web/watch/upload.js';
import { findLowLatency, isRealtime, listFallbacks } from '/web/watch/sources.js';

const RETRY_MS = 2000;
/**
 * The first parent link waits until hls.js has appended the start-up segments (p2p/node.js
 * STARTUP_HTTP_SEGMENTS, over HTTP), but no longer than this: the link's set-up and the parent's backlog,
 * received and verified, must not compete with them on a busy device.
 */
const FIRST_LINK_WAIT_MS = 4000;
const video = document.getElementById('video');
const statsLine = document.getElementById('stats');
const stream = decodeURIComponent(location.pathname.split('/')[2] || '');

const state = newState(stream);
window.waterfall = { state: state, video: video, hls: null, node: null };
const stalls = new StallWatch(video, state);
const playback = new PlaybackFigures(video, state, () => window.waterfall.hls);
/** P2P mode: the node's measured HTTP delivery cost (p2p/delivery.js), fed each fragment's append time. */
let delivery = null;
const params = new URLSearchParams(location.search);
const upload = new UploadChoice(params, state, () => window.waterfall.node, document.getElementById('upload'),
  document.getElementById('upload-note'));

const viewerToken = viewerTokenFor(stream, params); // a private stream's (watch/token.js)

/** The coordinator refused us as a viewer of a private stream: say why and ask for a token. */
function askForToken(why) {
  state.phase = 'error';
  state.error = why;
  state.privateStream = true;
  showTokenPrompt(stream, why);
  renderStats(); // the refusal shows at once, not at the next tick
}

// /embed/<stream> (embed.html) has no title, stats line or upload box: only the player.
const title = document.getElementById('title');
if (title) title.textContent = 'Waterfall · ' + stream;
document.title = 'Waterfall · ' + stream;

function note(name, detail) {
  const event = { name: name, t: Math.round(performance.now()), currentTime: video.currentTime };
  state.events.push(detail ? Object.assign(event, detail) : event);
  if (state.events.length > 50) state.events.shift();
}

video.addEventListener('playing', function () {
  note('playing');
  if (state.startedAt === null) state.startedAt = performance.now();
  state.phase = 'playing';
  stalls.playing();
});
video.addEventListener('waiting', function () {
  // What the player had around the playhead: a stalled page's report then shows a hole from a missing segment.
  note('waiting', { buffered: stalls.bufferedRanges(), held: stalls.heldFragments() });
  if (state.startedAt !== null) stalls.waiting();
});
// The embed page's play button, over the picture while the video is paused (autoplay refused, or paused).
const playButton = document.getElementById('play');
if (playButton) {
  const show = function () { playButton.hidden = !video.paused; };
  video.addEventListener('play', show);
  video.addEventListener('pause', show);
  playButton.addEventListener('click', function () {
    video.play().catch(function (e) { note('play-refused:' + e.name); });
  });
  show();
}
video.addEventListener('error', function () {
  note('error');
  state.error = 'media error ' + (video.error ? video.error.code : '?');
});

setInterval(() => playback.update(), 250);
setInterval(() => syncNodeState(state, window.waterfall.node), 250);

window.waterfall.shortId = shortId;
installOverlay(state, document.getElementById('overlay'), document.getElementById('stats-toggle'), params);

// Leaving: tell the coordinator, so the children are re-attached at once rather than when the socket times out.
window.addEventListener('pagehide', function () {
  if (window.waterfall.node) window.waterfall.node.leave();
});
// Back from the back/forward cache with the links gone: start over.
window.addEventListener('pageshow', function (e) {
  if (e.persisted && window.waterfall.node) location.reload();
});

function renderStats() {
  syncNodeState(state, window.waterfall.node);
  if (!statsLine) return;
  statsLine.textContent = statsText(state, video, playback.bufferAhead());
  statsLine.classList.toggle('error', state.phase === 'error');
}
setInterval(renderStats, 500);

// Until the origin has registered, the coordinator knows no stream or no fallback: keep asking. `listed`: the
// first answer, asked for already.
async function findSource(listed) {
  for (let answer = await listed; ; answer = await listFallbacks(stream)) {
    if (answer.bases.length > 0) return answer.bases[0];
    if (answer.private) {
      askForToken(answer.problem);
      return new Promise(function () {}); // the prompt reloads the page
    }
    state.error = answer.problem;
    state.phase = 'error';
    await new Promise(function (r) { setTimeout(r, RETRY_MS); });
  }
}

function playWithHlsJs(url, mode, extraConfig) {
  state.mode = mode || 'mse';
  // Low latency: hls.js then keeps PART-HOLD-BACK behind the edge, unless a liveSync* option overrides it. It must
  // start on an independent part, up to a GOP before that target: playing up to 1.5× fast (only while more than
  // a second is buffered ahead) brings it back to the target.
  const lowLatency = mode === 'll' || mode === 'll-p2p';
  const base = lowLatency ? { lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5 } : { liveSyncDurationCount: 3 };
  const hls = new Hls(Object.assign(base, extraConfig || {}));
  window.waterfall.hls = hls;
  if (lowLatency) {
    // hls.js adds a second to its target at every stall and never takes it back: a stall at start-up would cost
    // the whole session that second.
    const giveBack = new LatencyGiveBack(hls, Hls.Events);
    const timer = setInterval(() => giveBack.tick(), 1000);
    hls.on(Hls.Events.DESTROYING, () => clearInterval(timer));
  }
  hls.on(Hls.Events.FRAG_LOADED, function (_event, data) {
    // frag.stats.loaded: the payload itself may already be handed (transferred) to the transmuxer worker.
    const stats = data.frag && data.frag.stats;
    const bytes = stats && stats.loaded > 0 ? stats.loaded : data.payload ? data.payload.byteLength : 0;
    playback.noteFragment(bytes, data.frag ? data.frag.duration : 0);
    stalls.loaded(data.frag);
  });
  let fragments = 0;
  hls.on(Hls.Events.FRAG_BUFFERED, function (_event, data) {
    const ms = stalls.buffered(data.frag);
    if (ms !== null && delivery) delivery.noteAppend(ms);
    if (++fragments === startupFragments) startupBuffered();
  });
  hls.on(Hls.Events.MEDIA_DETACHED, function () { stalls.reset(); });
  hls.on(Hls.Events.ERROR, function (_event, data) {
    note('hls-error:' + data.details);
    if (!data.fatal) return;
    state.error = data.type + ': ' + data.details;
    // hls.js's own recipe: retry the network, recover the media pipeline once, else start over.
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      hls.startLoad();
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      stalls.reset();
      hls.recoverMediaError();
    } else {
      hls.destroy();
      state.phase = 'error';
      setTimeout(start, RETRY_MS);
    }
  });
  hls.loadSource(url);
  hls.attachMedia(video);
}

let startupBuffered = function () {};
let startupFragments = 1;
/** Settles once hls.js has appended its first `count` fragments, or after `ms`. */
function fragmentsIn(count, ms) {
  startupFragments = count;
  return new Promise(function (resolve) {
    startupBuffered = resolve;
    setTimeout(resolve, ms);
  });
}

function playNatively(url) {
  state.mode = 'native';
  video.src = url;
}

function p2pCapable() {
  return params.get('p2p') !== '0' && window.isSecureContext && !!(window.crypto && crypto.subtle)
    && typeof RTCPeerConnection === 'function' && !!window.Hls && Hls.isSupported();
}

/**
 * Imports the P2P modules and checks Ed25519: {modules, ed25519}, promises. Every module is asked for at once
 * (<link rel="modulepreload">) rather than level by level as the imports are discovered. Added from here, as
 * this script starts, rather than in watch.html's <head>, where they load alongside hls.js and this script
 * (instrumented benchmark runs hinted at a ~30 ms delay to them; noisy) for no gain: nothing P2P can start
 * before this script runs anyway.
 */
function loadP2p() {
  for (const name of ['node', 'loader', 'delivery', 'verify', 'store', 'frames', 'header', 'bytes', 'json', 'signalling', 'peer', 'content', 'parts', 'partstore']) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = '/web/p2p/' + name + '.js';
    document.head.appendChild(link);
  }
  const modules = Promise.all([import('/web/p2p/node.js'), import('/web/p2p/loader.js'), import('/web/p2p/verify.js')]);
  const ed25519 = modules.then(function (m) { return m[2].supportsEd25519(); });
  // Awaited in startP2p, unless the stream turns out to be realtime: then a failure here is nobody's business.
  modules.catch(function () {});
  ed25519.catch(function () {});
  return { modules: modules, ed25519: ed25519 };
}

// Joins the tree and plays from the P2P store; throws (and the caller plays plain HLS) if that cannot start.
// Nothing waits for what it does not need, so P2P costs no start-up time: the WebSocket join starts as soon as
// the (preloaded) modules are in, alongside the Ed25519 check (the fallback list, `listed`, is on its way
// already), and hls.js starts once a fallback base is known, while the P2P link forms: the loader takes the
// first segments over HTTP meanwhile, and the link waits for the first one to be appended.
// `lowLatency` (`?ll=1`): the node takes parts, and hls.js plays a relay's /ll/ playlist (none serving it: throws).
async function startP2p(listed, loading, lowLatency) {
  await deviceKnown; // joins with or without upload
  const [nodeModule, loaderModule] = await loading.modules;
  const ed25519 = loading.ed25519;
  const node = new nodeModule.BrowserNode({ stream: stream, bufferSeconds: () => playback.bufferAhead(),
    key: viewerToken, upload: upload.effective(), lanes: params.get('lanes'), parts: lowLatency,
    firstLinkAfter: fragmentsIn(nodeModule.STARTUP_HTTP_SEGMENTS, FIRST_LINK_WAIT_MS),
    playbackStats: function () {
      return { liveEdgeDistance: state.liveEdgeDistance, bitrateKbps: state.bitrateKbps,
        stalls: state.waitingAfterStart };
    } });
  const joined = node.start();
  joined.catch(function () {}); // awaited below; this only keeps an early refusal from being reported unhandled
  try {
    if (!(await ed25519)) throw new Error('WebCrypto has no Ed25519');
    // The coordinator's list, or the welcome's if that comes first (or the list is empty: no origin yet).
    const fromWelcome = joined.then(function () { return node.fallbacks; });
    node.useFallbacks(await Promise.race([fromWelcome,
      listed.then(function (answer) { return answer.bases.length > 0 ? answer.bases : fromWelcome; })]));
    state.source = node.fallbacks[0] || null;
    const llUrl = lowLatency ? await llSource(node) : null;
    if (lowLatency && !llUrl) throw new Error('no fallback relay serves low-latency HLS for this stream');
    state.hlsUrl = llUrl || loaderModule.p2pPlaylistUrl(stream);
    if (llUrl) state.source = llUrl.replace(/\/ll\/.*$/, '');
    state.error = null;
    state.phase = 'loading';
    delivery = node.delivery;
    playWithHlsJs(state.hlsUrl, lowLatency ? 'll-p2p' : 'p2p', { loader: loaderModule.p2pLoader(Hls, node) });
    video.play().catch(function (e) { note('play-refused:' + e.name); });
    await joined;
  } catch (e) {
    delivery = null;
    node.close();
    if (window.waterfall.hls) {
      window.waterfall.hls.destroy();
      window.waterfall.hls = null;
    }
    throw e;
  }
  window.waterfall.node = node;
  node.setUpload(upload.effective()); // the viewer may have changed it while joining
  const uploadControl = document.getElementById('upload-control');
  if (uploadControl) uploadControl.hidden = false;
  if (!lowLatency) state.source = node.fallbacks[0] || state.source;
}

/** A fallback base's /ll/ playlist URL; asked a few times, as an origin answers 503 until its first part is cut. */
async function llSource(node) {
  for (let tries = 0; ; tries++) {
    const url = await findLowLatency(node.fallbacks, stream);
    if (url || tries >= LL_SOURCE_TRIES) return url;
    await new Promise(function (r) { setTimeout(r, 1000); });
  }
}
const LL_SOURCE_TRIES = 5;

async function start() {
  // Side by side, as none needs another: what kind of stream this is, where its HTTP is, and the P2P modules.
  const listed = listFallbacks(stream);
  const lowLatency = params.get('ll') === '1' || params.get('ll') === 'tree';
  const llThroughTree = params.get('ll') === 'tree';
  const p2p = p2pCapable() && !window.waterfall.node && (!lowLatency || llThroughTree) ? loadP2p() : null;
  if (!window.waterfall.node && !window.waterfall.realtime && await isRealtime(stream)) {
    (await import('/web/rt/viewer.js')).play(window.waterfall, params);
    return;
  }
  if (p2p) {
    try {
      await startP2p(listed, p2p, lowLatency);
      return;
    } catch (e) {
      note('p2p-failed:' + e.message);
      if (/^private-stream/.test(e.message)) {
        askForToken(e.message);
        return;
      }
      if (/^no-content-key/.test(e.message)) {
        state.phase = 'error';
        state.error = e.message + ' (trying again)';
        setTimeout(function () { location.reload(); }, 5000);
        return;
      }
      state.error = 'P2P unavailable (' + e.message + '): plain HLS';
    }
  }
  if (viewerToken) {
    // Plain HLS would hand hls.js ciphertext: a private stream plays only where the page can decrypt it.
    state.phase = 'error';
    state.error = 'a private stream needs a browser with WebCrypto and WebRTC (over https)';
    return;
  }
  if (lowLatency && window.Hls && Hls.isSupported()) {
    await startLowLatency(listed);
    return;
  }
  const base = await findSource(listed);
  state.source = base;
  state.hlsUrl = base.replace(/\/+$/, '') + '/hls/' + encodeURIComponent(stream) + '/index.m3u8';
  state.error = null;
  state.phase = 'loading';
  if (window.Hls && Hls.isSupported()) {
    playWithHlsJs(state.hlsUrl);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    playNatively(state.hlsUrl);
  } else {
    state.phase = 'error';
    state.error = 'this browser can play neither MSE nor native HLS';
    return;
  }
  // autoplay may be refused; the controls stay available to start by hand.
  video.play().catch(function (e) { note('play-refused:' + e.name); });
}

/** `?ll=1`: LL-HLS from the first fallback base serving it (the origin), until one does. */
async function startLowLatency(listed) {
  for (let answer = await listed; ; answer = await listFallbacks(stream)) {
    const url = answer.bases.length > 0 ? await findLowLatency(answer.bases, stream) : null;
    if (url) {
      state.source = url.replace(/\/ll\/.*$/, '');
      state.hlsUrl = url;
      state.error = null;
      state.phase = 'loading';
      playWithHlsJs(url, 'll');
      video.play().catch(function (e) { note('play-refused:' + e.name); });
      return;
    }
    state.error = answer.problem || 'no source serves low-latency HLS for this stream (publish --ll-hls)';
    await new Promise(function (r) { setTimeout(r, RETRY_MS); });
  }
}

const deviceKnown = upload.followDevice().catch(function () {});
start();

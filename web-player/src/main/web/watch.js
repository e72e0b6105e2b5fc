// The player page: /watch/<stream>. Two ways to play:
// - P2P, the default wherever the browser can: the page joins the tree as a viewer (p2p/node.js), takes the
//   stream from its parent over a WebRTC DataChannel, verifies it into its store and plays it with hls.js through
//   p2p/loader.js, falling back to HTTP for what is late, and forwards it to its children (`?upload=0`: never
//   get children). Needs WebCrypto (a secure context: https, or localhost/127.0.0.1) with Ed25519,
//   RTCPeerConnection and MSE.
// - plain HLS over HTTP from the first fallback base the coordinator lists (origin or booster): what `?p2p=0`
//   forces, and what a browser without the above gets.
// Uploading (forwarding to child pages) is on unless `?upload=0`, the "share my upload" box is cleared, or the
// device is on a cellular connection, asks to save data or runs low on battery (then leaf-only unless the viewer
// ticks the box again). The stats overlay (button, or the key "s") shows where the page is in the tree and how
// it plays. window.waterfall.state is what tests, the stats line and the overlay read.
import { deviceConstraint, watchDevice as followDevice } from '/web/watch/device.js';
import { installOverlay, shortId } from '/web/watch/overlay.js';
import { showTokenPrompt, viewerToken as viewerTokenFor } from '/web/watch/token.js';
import { StallWatch } from '/web/watch/stalls.js';

(function () {
  'use strict';

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

  const state = {
    stream: stream,
    phase: 'starting',   // starting → loading → playing; 'error' when it gives up or waits for the stream
    mode: null,          // 'p2p' (hls.js + P2P loader), 'mse' (plain hls.js) or 'native' (video.src, e.g. Safari on iOS)
    source: null,        // the fallback base in use
    hlsUrl: null,
    startedAt: null,     // performance.now() of the first 'playing'
    waitingAfterStart: 0, // stalls after playback began, each one visible to the viewer (watch/stalls.js)...
    stallsDataLate: 0,    // ...of which the segment needed had not reached the player: the product's fault
    stallsPageBusy: 0,    // ...of which the player held it ≥ 1 s unappended: the device's CPU too busy
    stalledMs: 0,         // time spent in those stalls
    error: null,
    events: [],          // the last few media events, newest last, for debugging a failed test
    // P2P mode only (null otherwise): this node in the tree, and where its bytes came from.
    nodeId: null,
    parentId: null,      // the parent with an open DataChannel
    depth: null,
    bytesFromParent: 0,  // DataChannel bytes from the parent
    bytesByFallback: 0,  // HTTP: chunks, headers and whole segments the player fetched itself
    p2pShare: null,      // bytesFromParent / (bytesFromParent + bytesByFallback)
    upload: null,        // whether this page shares its upload (takes children); acted on in P2P mode
    uploadReason: null,  // why upload is off: 'url', 'user', 'cellular', 'save-data' or 'low-battery'; null when on
    children: 0,         // children with an open DataChannel
    bytesSentToChildren: 0,
    p2p: null,           // the node's detailed counters
    signalling: null,    // P2P: {connected, url (its coordinator's /ws), connects, resumes, resumed, rejoins, drops}
    // Playback figures (the overlay's too): seconds of media buffered ahead, the measured bitrate (bytes of the
    // last segments over their duration), and how far behind the live edge the playhead is, in seconds.
    bufferSeconds: 0,
    bitrateKbps: null,
    liveEdgeDistance: null,
    privateStream: false, // set when the coordinator refused us as a viewer of a private stream
  };
  window.waterfall = { state: state, video: video, hls: null, node: null };
  const stalls = new StallWatch(video, state);
  /** P2P mode: the node's measured HTTP delivery cost (p2p/delivery.js), fed each fragment's append time. */
  let delivery = null;
  const params = new URLSearchParams(location.search);
  const overlay = document.getElementById('overlay');
  const overlayToggle = document.getElementById('stats-toggle');
  const uploadBox = document.getElementById('upload');
  const uploadNote = document.getElementById('upload-note');

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

  function bufferAhead() {
    const b = video.buffered;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) <= video.currentTime + 0.1 && video.currentTime <= b.end(i)) {
        return b.end(i) - video.currentTime;
      }
    }
    return 0;
  }

  function updateP2pState() {
    const node = window.waterfall.node;
    if (!node) return;
    state.nodeId = node.nodeId;
    state.parentId = node.parentId;
    state.depth = node.depth;
    state.bytesFromParent = node.stats.bytesFromParent;
    state.bytesByFallback = node.stats.bytesByFallback;
    const total = state.bytesFromParent + state.bytesByFallback;
    state.p2pShare = total > 0 ? state.bytesFromParent / total : null;
    state.upload = node.upload;
    state.children = node.childCount;
    state.bytesSentToChildren = node.stats.bytesSentToChildren;
    state.p2p = Object.assign({ error: node.error, links: node.links() }, node.stats);
    state.signalling = Object.assign({ connected: node.signalling.connected, url: node.signalling.url },
      node.signalling.stats);
  }

  // --- playback figures ---------------------------------------------------------------------------------------

  const recentFragments = []; // {bytes, seconds} of the last few segments loaded

  function noteFragment(bytes, seconds) {
    if (!(bytes > 0) || !(seconds > 0)) return;
    recentFragments.push({ bytes: bytes, seconds: seconds });
    if (recentFragments.length > 5) recentFragments.shift();
  }

  function measuredBitrateKbps() {
    let bytes = 0;
    let seconds = 0;
    for (const f of recentFragments) {
      bytes += f.bytes;
      seconds += f.seconds;
    }
    if (seconds > 0) return Math.round(bytes * 8 / seconds / 1000);
    const hls = window.waterfall.hls;
    const level = hls && hls.levels && hls.levels[Math.max(0, hls.currentLevel)];
    return level && level.bitrate > 0 ? Math.round(level.bitrate / 1000) : null;
  }

  /** Seconds between the playhead and the newest media the playlist offers. */
  function liveEdgeDistance() {
    if (state.startedAt === null) return null;
    const hls = window.waterfall.hls;
    if (hls) {
      if (Number.isFinite(hls.latency) && hls.latency > 0) return hls.latency;
      const level = hls.levels && hls.levels[Math.max(0, hls.currentLevel)];
      if (level && level.details && Number.isFinite(level.details.edge)) return Math.max(0, level.details.edge - video.currentTime);
      return null;
    }
    return video.seekable.length > 0 ? Math.max(0, video.seekable.end(video.seekable.length - 1) - video.currentTime) : null;
  }

  function updatePlaybackState() {
    state.bufferSeconds = Math.round(bufferAhead() * 10) / 10;
    state.bitrateKbps = measuredBitrateKbps();
    const edge = liveEdgeDistance();
    state.liveEdgeDistance = edge === null ? null : Math.round(edge * 10) / 10;
  }
  setInterval(updatePlaybackState, 250);

  // --- the stats overlay --------------------------------------------------------------------------------------

  window.waterfall.shortId = shortId;
  installOverlay(state, overlay, overlayToggle, params);

  // --- upload: the viewer's choice, and the device's limits ---------------------------------------------------

  const upload = {
    wanted: params.get('upload') !== '0', // the URL's or the box's choice
    byUrl: params.get('upload') === '0',
    constraint: null,   // 'cellular', 'save-data', 'low-battery' or null
    overridden: false,  // the viewer ticked the box despite the constraint
  };

  function uploadEffective() {
    return upload.wanted && (upload.constraint === null || upload.overridden);
  }

  function applyUpload() {
    const on = uploadEffective();
    state.upload = on;
    state.uploadReason = on ? null : !upload.wanted ? (upload.byUrl ? 'url' : 'user') : upload.constraint;
    if (!uploadBox) {
      if (window.waterfall.node) window.waterfall.node.setUpload(on);
      return;
    }
    uploadBox.checked = on;
    uploadNote.textContent = on ? (upload.overridden ? '(despite ' + upload.constraint + ')' : '')
      : state.uploadReason === 'url' || state.uploadReason === 'user' ? '' : '(off: ' + state.uploadReason + ')';
    if (window.waterfall.node) window.waterfall.node.setUpload(on);
  }

  if (uploadBox) uploadBox.addEventListener('change', function () {
    upload.wanted = uploadBox.checked;
    upload.byUrl = false;
    upload.overridden = uploadBox.checked && upload.constraint !== null;
    applyUpload();
  });

  function constraintChanged() {
    const now = deviceConstraint();
    if (now === upload.constraint) return;
    upload.constraint = now;
    upload.overridden = false;
    applyUpload();
  }

  /** Reads the device's state once and follows its changes (watch/device.js). */
  async function watchDevice() {
    await followDevice(constraintChanged);
    upload.constraint = deviceConstraint();
    applyUpload();
  }

  // Leaving: tell the coordinator, so the children are re-attached at once rather than when the socket times out.
  window.addEventListener('pagehide', function () {
    if (window.waterfall.node) window.waterfall.node.leave();
  });
  // Back from the back/forward cache with the links gone: start over.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted && window.waterfall.node) location.reload();
  });
  setInterval(updateP2pState, 250);

  function renderStats() {
    updateP2pState();
    const parts = [
      state.phase + (state.mode ? ' (' + state.mode + ')' : ''),
      'buffer ' + bufferAhead().toFixed(1) + ' s',
      'bitrate ' + (state.bitrateKbps === null ? '—' : state.bitrateKbps + ' kbps'),
      'behind live ' + (state.liveEdgeDistance === null ? '—' : state.liveEdgeDistance.toFixed(1) + ' s'),
      'time ' + video.currentTime.toFixed(1) + ' s',
      'stalls ' + state.waitingAfterStart + (state.stallsPageBusy > 0 ? ' (' + state.stallsPageBusy + ' device busy)' : ''),
      'from ' + (state.hlsUrl || '—'),
    ];
    if (state.mode === 'p2p') {
      parts.push('depth ' + state.depth, 'parent ' + (state.parentId || '—'),
        'p2p ' + (state.p2pShare === null ? '—' : Math.round(state.p2pShare * 100) + '%'),
        'fallback ' + Math.round(state.bytesByFallback / 1024) + ' KiB',
        'children ' + state.children + (state.upload ? '' : ' (upload off)'),
        'sent ' + Math.round(state.bytesSentToChildren / 1024) + ' KiB');
    }
    if (state.error) parts.push('error: ' + state.error);
    if (!statsLine) return;
    statsLine.textContent = parts.join(' · ');
    statsLine.classList.toggle('error', state.phase === 'error');
  }
  setInterval(renderStats, 500);

  /** The coordinator's fallback bases for the stream, asked once: {bases, problem}; no bases, and why, if none. */
  async function listFallbacks() {
    try {
      const res = await fetch('/api/streams/' + encodeURIComponent(stream) + '/fallbacks', { cache: 'no-store' });
      if (res.status === 401) {
        return { bases: [], problem: 'private-stream: this stream is private: it needs a viewer token', private: true };
      }
      if (!res.ok) return { bases: [], problem: 'coordinator answered ' + res.status };
      const body = await res.json();
      if (Array.isArray(body.fallbacks) && body.fallbacks.length > 0) return { bases: body.fallbacks, problem: null };
      if (body.withheld > 0) {
        return { bases: [], problem: 'none of this stream\'s ' + body.withheld + ' HTTP source(s) can be fetched from'
          + ' this page (plain http on an https page, or a private address): its origin and boosters need an https'
          + ' public URL' };
      }
      return { bases: [], problem: 'the stream has no source yet' };
    } catch (e) {
      return { bases: [], problem: 'coordinator unreachable: ' + e.message };
    }
  }

  // Until the origin has registered, the coordinator knows no stream or no fallback: keep asking. `listed`: the
  // first answer, asked for already.
  async function findSource(listed) {
    for (let answer = await listed; ; answer = await listFallbacks()) {
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
    const hls = new Hls(Object.assign({ liveSyncDurationCount: 3 }, extraConfig || {}));
    window.waterfall.hls = hls;
    hls.on(Hls.Events.FRAG_LOADED, function (_event, data) {
      // frag.stats.loaded: the payload itself may already be handed (transferred) to the transmuxer worker.
      const stats = data.frag && data.frag.stats;
      const bytes = stats && stats.loaded > 0 ? stats.loaded : data.payload ? data.payload.byteLength : 0;
      noteFragment(bytes, data.frag ? data.frag.duration : 0);
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
    for (const name of ['node', 'loader', 'delivery', 'verify', 'store', 'frames', 'header', 'bytes', 'json', 'signalling', 'peer', 'content']) {
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
  async function startP2p(listed, loading) {
    await deviceKnown; // joins with or without upload
    const [nodeModule, loaderModule] = await loading.modules;
    const ed25519 = loading.ed25519;
    const node = new nodeModule.BrowserNode({ stream: stream, bufferSeconds: bufferAhead, key: viewerToken,
      upload: uploadEffective(), firstLinkAfter: fragmentsIn(nodeModule.STARTUP_HTTP_SEGMENTS, FIRST_LINK_WAIT_MS),
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
      state.hlsUrl = loaderModule.p2pPlaylistUrl(stream);
      state.error = null;
      state.phase = 'loading';
      delivery = node.delivery;
      playWithHlsJs(state.hlsUrl, 'p2p', { loader: loaderModule.p2pLoader(Hls, node) });
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
    node.setUpload(uploadEffective()); // the viewer may have changed it while joining
    const uploadControl = document.getElementById('upload-control');
    if (uploadControl) uploadControl.hidden = false;
    state.source = node.fallbacks[0] || state.source;
  }

  // A realtime stream (media tracks, no HLS) is played by rt/viewer.js, which takes over the state.
  async function isRealtime() {
    try {
      const res = await fetch('/api/streams/' + encodeURIComponent(stream), { cache: 'no-store' });
      return res.ok && (await res.json()).type === 'realtime';
    } catch (e) {
      return false;
    }
  }

  async function start() {
    // Side by side, as none needs another: what kind of stream this is, where its HTTP is, and the P2P modules.
    const listed = listFallbacks();
    const p2p = p2pCapable() && !window.waterfall.node ? loadP2p() : null;
    if (!window.waterfall.node && !window.waterfall.realtime && await isRealtime()) {
      (await import('/web/rt/viewer.js')).play(window.waterfall, params);
      return;
    }
    if (p2p) {
      try {
        await startP2p(listed, p2p);
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

  const deviceKnown = watchDevice().catch(function () {});
  start();
})();

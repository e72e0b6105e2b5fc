// The player page: /watch/<stream>. For now it plays the stream as plain HLS over HTTP from the first
// fallback base the coordinator lists (origin or booster); the P2P loader comes later.
// window.waterfall.state is what tests and the stats line read.
(function () {
  'use strict';

  const RETRY_MS = 2000;
  const video = document.getElementById('video');
  const statsLine = document.getElementById('stats');
  const stream = decodeURIComponent(location.pathname.split('/')[2] || '');

  const state = {
    stream: stream,
    phase: 'starting',   // starting → loading → playing; 'error' when it gives up or waits for the stream
    mode: null,          // 'mse' (hls.js) or 'native' (video.src, e.g. Safari on iOS)
    source: null,        // the fallback base in use
    hlsUrl: null,
    startedAt: null,     // performance.now() of the first 'playing'
    waitingAfterStart: 0, // 'waiting' events after playback began: each one is a visible stall
    error: null,
    events: [],          // the last few media events, newest last, for debugging a failed test
  };
  window.waterfall = { state: state, video: video, hls: null };

  document.getElementById('title').textContent = 'Waterfall · ' + stream;
  document.title = 'Waterfall · ' + stream;

  function note(name) {
    state.events.push({ name: name, t: Math.round(performance.now()), currentTime: video.currentTime });
    if (state.events.length > 50) state.events.shift();
  }

  video.addEventListener('playing', function () {
    note('playing');
    if (state.startedAt === null) state.startedAt = performance.now();
    state.phase = 'playing';
  });
  video.addEventListener('waiting', function () {
    note('waiting');
    if (state.startedAt !== null) state.waitingAfterStart++;
  });
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

  function renderStats() {
    const parts = [
      state.phase + (state.mode ? ' (' + state.mode + ')' : ''),
      'buffer ' + bufferAhead().toFixed(1) + ' s',
      'time ' + video.currentTime.toFixed(1) + ' s',
      'stalls ' + state.waitingAfterStart,
      'from ' + (state.hlsUrl || '—'),
    ];
    if (state.error) parts.push('error: ' + state.error);
    statsLine.textContent = parts.join(' · ');
    statsLine.classList.toggle('error', state.phase === 'error');
  }
  setInterval(renderStats, 500);

  // Until the origin has registered, the coordinator knows no stream or no fallback: keep asking.
  async function findSource() {
    for (;;) {
      try {
        const res = await fetch('/api/streams/' + encodeURIComponent(stream) + '/fallbacks', { cache: 'no-store' });
        if (res.ok) {
          const body = await res.json();
          if (Array.isArray(body.fallbacks) && body.fallbacks.length > 0) return body.fallbacks[0];
          state.error = 'the stream has no source yet';
        } else {
          state.error = 'coordinator answered ' + res.status;
        }
      } catch (e) {
        state.error = 'coordinator unreachable: ' + e.message;
      }
      state.phase = 'error';
      await new Promise(function (r) { setTimeout(r, RETRY_MS); });
    }
  }

  function playWithHlsJs(url) {
    state.mode = 'mse';
    const hls = new Hls({ liveSyncDurationCount: 3 });
    window.waterfall.hls = hls;
    hls.on(Hls.Events.ERROR, function (_event, data) {
      note('hls-error:' + data.details);
      if (!data.fatal) return;
      state.error = data.type + ': ' + data.details;
      // hls.js's own recipe: retry the network, recover the media pipeline once, else start over.
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        hls.startLoad();
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
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

  function playNatively(url) {
    state.mode = 'native';
    video.src = url;
  }

  async function start() {
    const base = await findSource();
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

  start();
})();

// The stats overlay (button, the key "s", or ?stats=1): where the page is in the tree and how it plays. HLS rows
// come from the page's state; a realtime stream's rows from rt/viewer.js (window.waterfall.overlayRows).

export function shortId(id) {
  return id ? (id.length > 8 ? id.slice(0, 8) + '…' : id) : '—';
}

function hlsRows(state) {
  const kib = (n) => (n / 1024 < 1024 ? Math.round(n / 1024) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB');
  const p2p = state.mode === 'p2p' || state.mode === 'll-p2p';
  return [
    ['mode', state.mode || '—'],
    ['depth', p2p && state.depth !== null ? String(state.depth) : '—'],
    ['parent', p2p ? shortId(state.parentId) : '—'],
    ['children', p2p ? state.children + (state.upload ? '' : ' (upload off' + (state.uploadReason ? ': ' + state.uploadReason : '') + ')') : '—'],
    ['P2P share', state.p2pShare === null ? '—' : Math.round(state.p2pShare * 100) + ' %'],
    ['fallback', kib(state.bytesByFallback)],
    ['buffer', state.bufferSeconds.toFixed(1) + ' s'],
    ['bitrate', state.bitrateKbps === null ? '—' : state.bitrateKbps + ' kbps'],
    ['live edge', state.liveEdgeDistance === null ? '—' : state.liveEdgeDistance.toFixed(1) + ' s behind'],
    ['stalls', state.waitingAfterStart === 0 ? '0' : state.waitingAfterStart + ' (' + state.stallsDataLate
      + ' data late, ' + state.stallsPageBusy + ' device busy; ' + (state.stalledMs / 1000).toFixed(1) + ' s)'],
  ];
}

/** Wires the overlay element and its toggle button; redraws twice a second while shown. */
export function installOverlay(state, overlay, toggleButton, params) {
  function render() {
    if (overlay.hidden) return;
    const dl = document.createDocumentFragment();
    const rows = window.waterfall.overlayRows ? window.waterfall.overlayRows() : hlsRows(state);
    for (const [name, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.stat = name;
      dl.append(dt, dd);
    }
    overlay.replaceChildren(dl);
  }

  function toggle(show) {
    overlay.hidden = show === undefined ? !overlay.hidden : !show;
    toggleButton.setAttribute('aria-pressed', String(!overlay.hidden));
    render();
  }

  toggleButton.addEventListener('click', function () { toggle(); });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 's' || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    toggle();
  });
  if (params.get('stats') === '1') toggle(true);
  setInterval(render, 500);
}

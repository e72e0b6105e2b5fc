// window.waterfall.state: what the player page knows of itself. Tests, the stats line and the overlay read it;
// watch.js and its parts write it.

/** The state of a page playing `stream`, before anything started. */
export function newState(stream) {
  return {
    stream: stream,
    phase: 'starting',   // starting → loading → playing; 'error' when it gives up or waits for the stream
    mode: null,          // 'p2p' (hls.js + P2P loader), 'mse' (plain hls.js), 'll' (LL-HLS over HTTP), 'll-p2p' (LL-HLS,
                         // parts from the tree) or 'native' (video.src)
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
}

/** Copies the P2P node's place and counters (p2p/node.js) into `state`; nothing without a node. */
export function syncNodeState(state, node) {
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

/** The stats line under the player: one line of the state, refreshed by watch.js. */
export function statsText(state, video, bufferAhead) {
  const parts = [
    state.phase + (state.mode ? ' (' + state.mode + ')' : ''),
    'buffer ' + bufferAhead.toFixed(1) + ' s',
    'bitrate ' + (state.bitrateKbps === null ? '—' : state.bitrateKbps + ' kbps'),
    'behind live ' + (state.liveEdgeDistance === null ? '—' : state.liveEdgeDistance.toFixed(1) + ' s'),
    'time ' + video.currentTime.toFixed(1) + ' s',
    'stalls ' + state.waitingAfterStart + (state.stallsPageBusy > 0 ? ' (' + state.stallsPageBusy + ' device busy)' : ''),
    'from ' + (state.hlsUrl || '—'),
  ];
  if (state.mode === 'p2p' || state.mode === 'll-p2p') {
    parts.push('depth ' + state.depth, 'parent ' + (state.parentId || '—'),
      'p2p ' + (state.p2pShare === null ? '—' : Math.round(state.p2pShare * 100) + '%'),
      'fallback ' + Math.round(state.bytesByFallback / 1024) + ' KiB',
      'children ' + state.children + (state.upload ? '' : ' (upload off)'),
      'sent ' + Math.round(state.bytesSentToChildren / 1024) + ' KiB');
  }
  if (state.error) parts.push('error: ' + state.error);
  return parts.join(' · ');
}

// The dashboard: /dashboard/<stream>. A live picture of the stream's tree from the coordinator's feed
// (GET /api/streams/<stream>/dashboard, Server-Sent Events, one snapshot a second; see docs/protocol.md).
// The stream name comes from the path, never from HTML; everything is drawn with DOM APIs (textContent,
// createElementNS), so nothing a node reports is ever parsed as markup.
// Layout: one row per depth; a tidy tree within the levels the feed details (leaves side by side in tree order,
// each parent centred over its children); deeper levels, which the feed sends as counts once the tree passes
// ~200 nodes, are one summary box per level. window.waterfallDashboard is what tests read.

import { showPublishing } from './dashboard/publishing.js';
import { Role } from './p2p/vocabulary.js';

const SVG = 'http://www.w3.org/2000/svg';
const DX = 30;        // horizontal distance between neighbouring leaves, shrunk (to MIN_DX) to fit the window
const MIN_DX = 12;
const DY = 72;        // distance between depth levels
const LEFT = 90;      // room for the level labels
const TOP = 24;

const stream = decodeURIComponent(location.pathname.split('/')[2] || '');
const feedUrl = '/api/streams/' + encodeURIComponent(stream) + '/dashboard';
const state = { stream, connected: false, frames: 0, snapshot: null, error: null,
  publishing: { admin: false, rotations: 0, error: null } };
window.waterfallDashboard = state;

const $ = (id) => document.getElementById(id);

// The snippets a site owner copies (textContent: the stream's name is never parsed as HTML).
const quoted = JSON.stringify(stream);
$('embed-iframe').textContent = '<iframe src="' + location.origin + '/embed/' + encodeURIComponent(stream)
  + '" width="640" height="360" allow="autoplay; fullscreen" allowfullscreen></iframe>';
$('embed-module').textContent = [
  '<video controls muted autoplay playsinline></video>',
  '<script src="' + location.origin + '/web/vendor/hls.min.js"></script>', // or the site's own hls.js
  '<script type="module">',
  "  import { WaterfallP2P } from '" + location.origin + "/web/waterfall-p2p.js';",
  "  const video = document.querySelector('video');",
  "  const p2p = await WaterfallP2P.join({ Hls, server: '" + location.origin + "', stream: " + quoted + ', video });',
  '  const hls = new Hls(p2p.hlsConfig());',
  '  p2p.attach(hls);',
  '  hls.loadSource(p2p.playlistUrl);',
  '  hls.attachMedia(video);',
  '</script>'].join('\n');
if (stream) showPublishing(stream, state.publishing);
$('title').textContent = 'Waterfall dashboard · ' + stream;
document.title = 'Waterfall dashboard · ' + stream;

function status(text, isError) {
  $('status').textContent = text;
  $('status').classList.toggle('error', !!isError);
}

function svg(name, attrs, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (parent) parent.appendChild(el);
  return el;
}

const percent = (x) => (x === null || x === undefined ? '–' : (x * 100).toFixed(1) + ' %');
const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(0)) + ' ms';

function showFigures(s) {
  const f = s.figures;
  $('viewers').textContent = String(f.viewers);
  $('nodes').textContent = String(f.nodes);
  $('depth').textContent = String(f.depth);
  $('offload').textContent = percent(f.offload);
  $('offload').title = f.offload === null ? 'waiting for the origin\'s stats and for delivered bytes'
    : 'origin egress ' + f.originEgressBytes + ' B of ' + f.deliveredBytes + ' B delivered';
  $('fallback').textContent = percent(f.fallbackShare);
  const d = s.repairs.durationsMs.slice().sort((a, b) => a - b);
  $('repairs').textContent = String(s.repairs.lastMinute);
  $('durations').textContent = d.length === 0 ? '' : 'median ' + ms(d[Math.floor(d.length / 2)]) + ' · max '
    + ms(d[d.length - 1]);
  const list = $('recent');
  list.replaceChildren();
  for (const r of s.repairs.recent.slice().reverse()) {
    const li = document.createElement('li');
    li.textContent = r.at.slice(11, 19) + '  ' + r.node + ' ' + r.cause + ': ' + r.moved + ' moved in ' + ms(r.durationMs);
    list.appendChild(li);
  }
  list.classList.toggle('empty', s.repairs.recent.length === 0);
  if (s.repairs.recent.length === 0) {
    const li = document.createElement('li');
    li.textContent = 'none in the last minute';
    list.appendChild(li);
  }
}

// Tidy layout: x in leaf slots, post-order; a parent sits midway between its first and last child.
function layout(nodes) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map();
  const roots = [];
  for (const n of nodes) {
    if (n.parent !== null && byId.has(n.parent)) {
      if (!children.has(n.parent)) children.set(n.parent, []);
      children.get(n.parent).push(n);
    } else {
      roots.push(n);
    }
  }
  const pos = new Map();
  let slot = 0;
  const place = (n) => {
    const kids = children.get(n.id) || [];
    if (kids.length === 0) {
      pos.set(n.id, slot++);
    } else {
      kids.forEach(place);
      pos.set(n.id, (pos.get(kids[0].id) + pos.get(kids[kids.length - 1].id)) / 2);
    }
  };
  roots.forEach(place);
  return { pos, slots: Math.max(slot, 1) };
}

function nodeShape(n, x, y, g, R) {
  const cls = 'health-' + n.health + ' role-' + n.role;
  if (n.role === Role.ORIGIN) return svg('rect', { x: x - R - 2, y: y - R - 2, width: 2 * R + 4, height: 2 * R + 4, rx: 3, class: cls }, g);
  if (n.role === Role.BOOSTER) {
    const r = R + 2;
    return svg('polygon', { points: [[x, y - r], [x + r, y], [x, y + r], [x - r, y]].map((p) => p.join(',')).join(' '), class: cls }, g);
  }
  return svg('circle', { cx: x, cy: y, r: R, class: cls }, g);
}

function describe(n) {
  const lines = [n.role + ' ' + n.id, 'depth ' + n.depth + (n.parent ? ', parent ' + n.parent : ''),
    n.health + (n.why ? ' (' + n.why + ')' : '')];
  if (n.bufferSeconds !== undefined) lines.push('buffer ' + n.bufferSeconds + ' s');
  if (n.p2pShare !== undefined) lines.push('P2P share (last heartbeat) ' + percent(n.p2pShare));
  if (n.fps !== undefined) lines.push('video ' + n.fps + ' fps in, ' + (n.framesSentPerSecond ?? 0) + ' frames/s encoded for children');
  if (n.cpuPercent !== undefined) lines.push('CPU ' + n.cpuPercent + ' % of a core');
  if (!n.connected) lines.push('not connected: keeps its place while it resumes');
  return lines.join('\n');
}

function drawTree(s) {
  const { pos, slots } = layout(s.nodes);
  const levels = s.levels;
  const collapsed = levels.filter((l) => l.depth > s.detailDepth);
  const avail = Math.max($('tree').clientWidth - 32, 640);
  const dx = Math.max(MIN_DX, Math.min(DX, (avail - LEFT - 20) / slots));
  const R = Math.min(9, dx * 0.36);
  const width = Math.max(LEFT + slots * dx + 20, avail);
  const offset = LEFT + Math.max(0, (width - LEFT - 20 - slots * dx) / 2); // centre a narrow tree
  const height = TOP + levels.length * DY;
  const root = svg('svg', { width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' });
  svg('title', {}, root).textContent = 'tree of ' + stream;
  const xOf = (id) => offset + pos.get(id) * dx + dx / 2;
  const yOf = (depth) => TOP + depth * DY;

  for (const l of levels) {
    const y = yOf(l.depth);
    svg('line', { x1: 0, y1: y, x2: width, y2: y, class: 'level-line' }, root);
    const label = svg('text', { x: 4, y: y - 4, class: 'level-label' }, root);
    label.textContent = 'depth ' + l.depth + ' · ' + l.count;
  }
  const edges = svg('g', { class: 'edges' }, root);
  for (const n of s.nodes) {
    if (n.parent !== null && pos.has(n.parent)) {
      svg('line', { x1: xOf(n.parent), y1: yOf(n.depth - 1), x2: xOf(n.id), y2: yOf(n.depth), class: 'edge' }, edges);
    }
  }
  for (const n of s.nodes) {
    const g = svg('g', { class: 'node' + (n.connected ? '' : ' disconnected'), 'data-id': n.id, 'data-role': n.role,
      'data-health': n.health }, root);
    nodeShape(n, xOf(n.id), yOf(n.depth), g, R);
    svg('title', {}, g).textContent = describe(n);
  }
  // Levels beyond the detail limit: one box each, with the counts by health as a stacked bar.
  for (const l of collapsed) {
    const y = yOf(l.depth);
    const boxW = Math.min(width - LEFT - 20, 560);
    const boxX = Math.max(LEFT, (width - boxW) / 2);
    const g = svg('g', { class: 'collapsed', 'data-depth': l.depth, 'data-count': l.count }, root);
    if (l.depth === s.detailDepth + 1) {
      svg('line', { x1: boxX + boxW / 2, y1: yOf(s.detailDepth) + R, x2: boxX + boxW / 2, y2: y - 14,
        class: 'edge collapsed-link' }, g);
    }
    svg('rect', { x: boxX, y: y - 14, width: boxW, height: 28, rx: 4, class: 'box' }, g);
    let x = boxX + 6;
    for (const colour of ['green', 'amber', 'red', 'grey']) {
      const w = l.count === 0 ? 0 : (boxW * 0.35) * l[colour] / l.count;
      if (w > 0) svg('rect', { x, y: y - 5, width: w, height: 10, class: 'health-' + colour }, g);
      x += w;
    }
    const text = svg('text', { x: boxX + boxW * 0.35 + 14, y: y + 4 }, g);
    text.textContent = l.count + ' nodes: ' + l.green + ' green · ' + l.amber + ' amber · ' + l.red + ' red · '
      + l.grey + ' grey';
    svg('title', {}, g).textContent = 'depth ' + l.depth + ': ' + l.count
      + ' nodes, drawn as counts (the tree has more than 200 nodes)';
  }
  $('tree').replaceChildren(root);
}

function render(s) {
  state.snapshot = s;
  state.frames++;
  showFigures(s);
  drawTree(s);
  const partial = s.coordinators.answered < s.coordinators.asked
    ? ' · ' + (s.coordinators.asked - s.coordinators.answered) + ' coordinator(s) did not answer: their nodes show grey'
    : '';
  status('live · ' + s.at.slice(11, 19) + ' UTC' + partial, false);
}

// EventSource hides the status of a refused feed: ask once more with fetch to show the coordinator's sentence.
async function explain() {
  const abort = new AbortController();
  try {
    const res = await fetch(feedUrl, { signal: abort.signal, cache: 'no-store' });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      state.error = body.message || ('HTTP ' + res.status);
      status(state.error, true);
      return;
    }
  } catch (e) {
    state.error = 'the coordinator cannot be reached';
    status(state.error, true);
  } finally {
    abort.abort();
  }
  setTimeout(connect, 3000);
}

function connect() {
  const source = new EventSource(feedUrl);
  source.addEventListener('open', () => { state.connected = true; });
  source.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
  source.addEventListener('gone', (e) => {
    source.close();
    state.connected = false;
    state.error = JSON.parse(e.data).message;
    status(state.error, true);
  });
  source.addEventListener('error', () => {
    state.connected = false;
    if (source.readyState === EventSource.CLOSED) {
      explain();
    } else {
      status('reconnecting…', false); // EventSource retries by itself
    }
  });
}

if (!stream) {
  status('no stream in the address: open /dashboard/<stream>', true);
} else {
  connect();
}

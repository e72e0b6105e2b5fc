// A page as a node of a realtime tree (docs/architecture.md "Realtime mode"): the publisher as the root
// (role origin, its camera or screen as the tracks), or a viewer that takes its tracks from its parent. Either
// way it forwards its current tracks to every child that offers (the coordinator places children as for HLS).
//
// A viewer whose parent changes (repair, rebalancing) opens the edge to the new parent while the old one still
// plays; when the new edge's video arrives it becomes the parent: its tracks go to the video element
// (onTracks) and, by replaceTrack, to every child, whose own edges stay as they are. Only then is the old edge
// closed. So a repair costs one new edge per moved node and nothing below it.

import { Signalling } from '../p2p/signalling.js';
import { ChildEdge, ParentEdge } from './edges.js';
import { AudioOut, ChunkPlayer, support as audioSupport } from './audio.js';
import { ReparentReason, Role } from '../p2p/vocabulary.js';

const POLL_MS = 250;

export class RealtimeNode {
  /**
   * @param {{stream: string, role?: 'origin'|'viewer', key?: string, upload?: boolean,
   *          tracks?: {video?: MediaStreamTrack, audio?: MediaStreamTrack},
   *          onTracks?: (stream: MediaStream) => void}} options
   */
  constructor(options) {
    this.stream = options.stream;
    this.role = options.role || Role.VIEWER;
    this.key = options.key || null;
    this.upload = options.upload !== false;
    this.tracks = options.tracks || {};
    this.onTracks = options.onTracks || (() => {});
    /** @type {Map<string, ChildEdge>} */
    this.children = new Map();
    this.parent = null;   // the ParentEdge whose media plays and is forwarded
    this.pending = null;  // the edge to a new parent, until its video arrives
    this.welcome = null;
    this.nodeId = null;
    this.depth = null;
    this.error = null;
    this.signalling = null;
    this.timer = null;
    this.retiredFrames = 0; // frames decoded on edges already closed
    this.retiredBytes = 0;
    // lastSwitch: the latest new parent's setup times (epoch ms: reparent received, asked ... flowing; the page
    // adds rendered), so a slow switch tells where it spent its time.
    this.stats = { parentChanges: 0, childrenServed: 0, lastSwitchMs: null, lastSwitch: null };
    this.reparentAt = null;
    this.audioOut = new AudioOut(); // audio for booster children, as chunks (rt/audio.js)
    this.audioOut.setTrack(this.tracks.audio);
  }

  /** Joins; resolves once welcomed, rejects on a coordinator error (or a closed socket) before that. */
  start() {
    if (this.signalling) this.signalling.close(); // a refused earlier attempt (e.g. no-slot) keeps its socket open
    return new Promise((resolve, reject) => {
      let welcomed = false;
      this.signalling = new Signalling({ stream: this.stream, role: this.role, key: this.key, upload: this.upload }, {
        welcome: (w) => {
          welcomed = true;
          this.error = null;
          this.onWelcome(w);
          resolve(this);
        },
        message: (m) => this.onMessage(m),
        error: (e) => {
          this.error = e.code + ': ' + e.message;
          if (!welcomed) reject(new Error(this.error));
        },
        closed: (why) => {
          this.error = this.error || why;
          if (!welcomed) reject(new Error(this.error));
        },
        stats: async () => this.heartbeatStats(),
      });
      this.signalling.start();
    });
  }

  /** A heartbeat's stats: counters, and a viewer's video frame rate since the previous one (dashboard: fps). */
  heartbeatStats() {
    const now = { at: performance.now(), frames: this.framesDecoded };
    const out = { bytesFromParent: this.bytesReceived, bytesByFallback: 0, framesDecoded: now.frames };
    const last = this.lastBeat;
    this.lastBeat = now;
    if (last && this.role !== Role.ORIGIN) out.fps = Math.round((now.frames - last.frames) * 10000 / (now.at - last.at)) / 10;
    return out;
  }

  onWelcome(w) {
    this.welcome = w;
    this.nodeId = w.nodeId;
    this.depth = w.depth;
    // A second welcome follows a dropped socket (resumed: same place, so connectTo keeps the edge it has).
    if (this.timer === null) this.timer = setInterval(() => this.poll(), POLL_MS);
    if (w.parent) this.connectTo(w.parent);
  }

  onMessage(m) {
    if (m.type === 'signal') {
      const edge = [this.pending, this.parent].find((e) => e && !e.closed && e.parentId === m.from);
      if (edge) {
        edge.signal(m.data);
      } else if (typeof m.from === 'string') {
        let child = this.children.get(m.from);
        // An offer from a child not announced yet (notices and signals race across coordinators), or a second
        // offer from a known child (it opened a new edge): a fresh edge answers it.
        if (this.upload && m.data && m.data.type === 'offer' && (!child || child.offerSeen)) {
          child = this.addChild(m.from, true);
        }
        if (child) child.signal(m.data);
      }
    } else if (m.type === 'child-joined') {
      if (this.upload && typeof m.child === 'string') this.addChild(m.child, false);
    } else if (m.type === 'child-left') {
      const child = this.children.get(m.child);
      if (child) child.close('child left');
    } else if (m.type === 'reparent') {
      this.reparentAt = Date.now();
      if (typeof m.depth === 'number') this.depth = m.depth;
      if (typeof m.parent === 'string') this.connectTo(m.parent, m.reason === ReparentReason.ORIGIN_RECONNECTED);
    } else if (m.type === 'ice-servers') {
      // Fresh TURN credentials before the welcome's expire: for the edges made from now on.
      if (this.welcome && Array.isArray(m.iceServers)) this.welcome.iceServers = m.iceServers;
    }
  }

  // --- children ---------------------------------------------------------------------------------------------

  addChild(childId, fresh) {
    const existing = this.children.get(childId);
    if (existing && !existing.closed && !fresh) return existing; // child-joined after its offer: keep the edge
    if (existing) existing.close('replaced');
    const kbps = this.welcome && this.welcome.stream ? this.welcome.stream.bitrateKbps : null;
    const child = new ChildEdge(childId, this.iceServers(), this.tracks, kbps, {
      signal: (to, data) => this.signalling.signal(to, data),
      audioChannel: (edge, channel) => {
        edge.audioChannel = channel;
        this.audioOut.add(channel);
      },
      closed: (edge) => {
        if (edge.audioChannel) this.audioOut.remove(edge.audioChannel);
        if (this.children.get(edge.childId) === edge) this.children.delete(edge.childId);
      },
    });
    this.children.set(childId, child);
    this.stats.childrenServed++;
    return child;
  }

  /** What this node forwards from now on: the publisher's new source, or a new parent's tracks. */
  setTracks(tracks) {
    this.tracks = tracks || {};
    for (const child of this.children.values()) child.send(this.tracks);
    this.audioOut.setTrack(this.tracks.audio);
  }

  /** Children whose connection is up. */
  get childCount() {
    let n = 0;
    for (const child of this.children.values()) if (child.isConnected()) n++;
    return n;
  }

  // --- parent -----------------------------------------------------------------------------------------------

  /** Opens the edge to `parentId`; `again`: even if we have one (the origin reconnected and lost it). */
  connectTo(parentId, again = false) {
    if (!again && [this.parent, this.pending].some((e) => e && !e.closed && e.parentId === parentId)) return;
    if (this.pending) this.pending.close('replaced');
    this.stats.parentChanges++;
    const asked = performance.now();
    this.pending = new ParentEdge(parentId, this.iceServers(), {
      signal: (to, data) => this.signalling.signal(to, data),
      flowing: (edge) => this.flowing(edge, asked),
      closed: (edge) => this.edgeClosed(edge),
      boosterParent: (edge) => this.chunkAudio(edge),
    });
  }

  /**
   * A booster parent sends audio as chunks: they play through a generated track, which stands in for the
   * edge's (silent) audio receiver on screen and toward page children, and are passed on verbatim to booster
   * children. Without WebCodecs decoding (not Chrome) this page and its page children get no sound.
   */
  chunkAudio(edge) {
    const player = audioSupport.decode ? new ChunkPlayer() : null;
    edge.player = player;
    if (player) {
      edge.tracks = { video: edge.tracks.video, audio: player.track };
      edge.stream = new MediaStream([edge.tracks.video, player.track]);
    }
    edge.audioChannel.onmessage = (e) => {
      if (player) player.push(e.data);
      if (edge === this.parent) this.audioOut.relay(e.data);
    };
  }

  flowing(edge, asked) {
    if (edge !== this.pending) return;
    const old = this.parent;
    this.parent = edge;
    this.pending = null;
    this.stats.lastSwitchMs = Math.round(performance.now() - asked);
    this.stats.lastSwitch = { parentId: edge.parentId, reparented: this.reparentAt, ...edge.times };
    this.audioOut.setRelaying(edge.parentRole === 'booster');
    this.onTracks(edge.stream);
    this.setTracks(edge.tracks);
    if (old) old.close('reparented');
  }

  edgeClosed(edge) {
    this.retiredFrames += edge.framesDecoded;
    this.retiredBytes += edge.bytesReceived;
    if (edge.player) edge.player.close();
    if (edge === this.pending) this.pending = null;
    // A closed current parent stays referenced (its last frame stays on screen) until a new one flows.
  }

  /** The parent whose media plays, or null. */
  get parentId() {
    return this.parent && !this.parent.closed ? this.parent.parentId : null;
  }

  /** Video frames decoded from every parent so far (a counter that only rises). */
  get framesDecoded() {
    return this.retiredFrames + (this.parent && !this.parent.closed ? this.parent.framesDecoded : 0);
  }

  get bytesReceived() {
    return this.retiredBytes + (this.parent && !this.parent.closed ? this.parent.bytesReceived : 0);
  }

  async poll() {
    for (const edge of [this.parent, this.pending]) {
      if (!edge || edge.closed) continue;
      try {
        await edge.poll();
      } catch (e) {
        // a connection closing under getStats
      }
    }
  }

  /** Audio figures for the stats line and tests: where this node's sound comes from and what it passes on. */
  audioStats() {
    const p = this.parent && !this.parent.closed ? this.parent : null;
    const player = p && p.player;
    return {
      source: !p ? (this.tracks.audio ? 'track' : 'none') : p.parentRole === 'booster' ? (player ? 'chunks'
        : 'unsupported') : 'track',
      support: audioSupport,
      chunksIn: player ? player.stats.chunks : 0,
      malformedIn: player ? player.stats.malformed : 0,
      decoded: player ? player.stats.decoded : 0,
      written: player ? player.stats.written : 0,
      level: player ? player.level() : null,
      latencyMs: player ? player.latencyMs() : null,
      error: (player && player.stats.error) || this.audioOut.stats.error,
      boosterChildren: this.audioOut.channels.size,
      encoded: this.audioOut.stats.encoded,
      sent: this.audioOut.stats.sent,
      dropped: this.audioOut.stats.dropped,
    };
  }

  iceServers() {
    return (this.welcome && this.welcome.iceServers) || [];
  }

  /** The edges' states, for debugging a failed test. */
  links() {
    const d = (id, e) => e ? { id: id, pc: e.pc.connectionState, closed: e.closed, why: e.closeReason || null } : null;
    return {
      parent: this.parent && d(this.parent.parentId, this.parent),
      pending: this.pending && d(this.pending.parentId, this.pending),
      children: [...this.children.values()].map((c) => d(c.childId, c)),
    };
  }

  close() {
    clearInterval(this.timer);
    this.audioOut.close();
    if (this.signalling) this.signalling.close();
    for (const e of [this.parent, this.pending, ...this.children.values()]) if (e) e.close('leaving');
  }
}

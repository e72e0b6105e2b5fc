// A page's link to the tree-coordinators (docs/protocol.md "Signalling protocol"), for the HLS player and for the
// realtime pages alike: one WebSocket to a coordinator's /ws, `join` with the page's role (a viewer, or the
// realtime publisher as the origin with the publish key), heartbeats with stats every welcome.heartbeatIntervalMs,
// and every other message handed to the node.
//
// The data plane does not depend on it (as the Java relay's CoordinatorSession): when the socket drops, the page
// keeps playing from its parent link (and the HTTP fallback) while this reconnects with exponential back-off and
// jitter and sends `resume` with the token from `welcome`, so it takes back its place (same node id, same
// children) if the cluster still holds it, i.e. after its coordinator restarted or died. Where it reconnects: its
// current coordinator first (it may only have restarted), then the others the last welcome listed
// (`coordinators`), in turn. A socket that closes on a live coordinator counts as a departure there; then `resume`
// is answered `unknown-node` and this joins afresh on the same socket (a new place; welcome tells the node).
// The page's own key (nodekey.js) goes in every join, and every resume is signed with it: the token alone
// takes nothing.

import { Backoff } from './backoff.js';
import { makeNodeKey, signResume } from './nodekey.js';
import { ErrorCode, Role } from './vocabulary.js';

// A coordinator that accepts TCP but never answers the upgrade (hung, or a black hole) must not hold us for the
// browser's own timeout (minutes): give up on it and try the next.
const CONNECT_TIMEOUT_MS = 5000;
/** Refusals no retry can fix (key-rotated: a publisher cut off by the admin; its key is no good any more). */
const FATAL = new Set([
  ErrorCode.UNKNOWN_STREAM,
  ErrorCode.PRIVATE_STREAM,
  ErrorCode.STREAM_DELETED,
  ErrorCode.KEY_ROTATED,
]);

export class Signalling {
  /**
   * @param {{stream: string, role?: string, key?: string, upload?: boolean | (() => boolean), url?: string}} options
   *   `role`: viewer (default) or origin (a realtime publisher, `key` its publish key); `key`: else a private
   *   stream's viewer token; `upload` (read at every join) false makes this node a leaf; `url`: the first /ws to
   *   try (default: the page's own origin)
   * @param {{welcome: (w: Object) => void, message: (m: Object) => void, error: (e: Object) => void,
   *          closed: (reason: string, willRetry: boolean) => void, stats: () => (Object|Promise<Object>)}} handlers
   */
  constructor(options, handlers) {
    this.options = options;
    this.handlers = handlers;
    this.ws = null;
    this.welcome = null;
    this.heartbeatTimer = null;
    this.retryTimer = null;
    this.nodeId = null;
    this.resumeToken = null;
    /** When (performance.now()) the current resume token arrived: a resume signs its age. */
    this.tokenArrived = 0;
    /** This page's key pair (made at start, once), or null without WebCrypto Ed25519: no resume then. */
    this.nodeKey = null;
    this.nodeKeyReady = null;
    this.backoff = new Backoff();
    this.stopped = false;
    /** The coordinator that last welcomed us (or the first one to try), and the others of its cluster. */
    this.url = options.url || Signalling.defaultUrl();
    this.others = [];
    /** Tries since the last welcome: which of [url, ...others] the next connection goes to. */
    this.tries = 0;
    this.connecting = null;
    /** Set until the first welcome: a page that cannot join at all plays plain HLS instead of retrying here. */
    this.retryBeforeWelcome = false;
    this.stats = { connects: 0, resumes: 0, resumed: 0, rejoins: 0, drops: 0 };
  }

  static defaultUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  /**
   * A coordinator's base URL as `welcome.coordinators` lists it (http.publicUrl) → its /ws, or null when this page
   * cannot use it (not http(s); a plain ws:// socket from an https page is blocked as mixed content).
   */
  static wsUrl(base) {
    let u;
    try {
      u = new URL(base);
    } catch (e) {
      return null;
    }
    const scheme = u.protocol === 'https:' ? 'wss://'
      : u.protocol === 'http:' && location.protocol !== 'https:' ? 'ws://' : null;
    return scheme === null ? null : scheme + u.host + '/ws';
  }

  start() {
    // The socket opens while the key is made; the first join waits for it.
    this.nodeKeyReady = makeNodeKey().then((key) => (this.nodeKey = key));
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    this.retryTimer = null;
    this.stats.connects++;
    const candidates = [this.url, ...this.others.filter((u) => u !== this.url)];
    const url = candidates[this.tries++ % candidates.length];
    this.connecting = url;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      // A malformed or forbidden URL: try the next one later.
      this.ws = null;
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    const timeout = setTimeout(() => {
      if (ws.readyState === WebSocket.CONNECTING) ws.close();
    }, CONNECT_TIMEOUT_MS);
    ws.onopen = async () => {
      clearTimeout(timeout);
      await this.nodeKeyReady;
      if (ws !== this.ws) return;
      if (this.nodeId && this.resumeToken && this.nodeKey) {
        this.stats.resumes++;
        const resume = { type: 'resume', stream: this.options.stream, nodeId: this.nodeId, resumeToken: this.resumeToken };
        const proof = await signResume(this.nodeKey, resume.stream, resume.nodeId, resume.resumeToken,
          performance.now() - this.tokenArrived);
        if (ws === this.ws) this.send(Object.assign(resume, proof));
      } else {
        this.sendJoin();
      }
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      let m;
      try {
        m = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!m || typeof m !== 'object') return;
      if (m.type === 'welcome') {
        this.backoff.reset();
        this.tries = 0;
        this.url = url;
        if (Array.isArray(m.coordinators)) {
          this.others = m.coordinators.map(Signalling.wsUrl).filter((u) => u !== null && u !== url);
        }
        this.welcome = m;
        this.nodeId = m.nodeId;
        this.resumeToken = m.resumeToken || null;
        this.tokenArrived = performance.now();
        if (m.resumed) this.stats.resumed++;
        this.startHeartbeats(m.heartbeatIntervalMs || 2000);
        this.handlers.welcome(m);
      } else if (m.type === 'resume-token') {
        // A fresh token before the last one expires: a resume uses this one.
        if (typeof m.resumeToken === 'string') {
          this.resumeToken = m.resumeToken;
          this.tokenArrived = performance.now();
        }
      } else if (m.type === 'error') {
        this.onError(m);
      } else {
        this.handlers.message(m);
      }
    };
    ws.onclose = (event) => {
      clearTimeout(timeout);
      if (ws !== this.ws) return;
      this.ws = null;
      this.stopHeartbeats();
      const why = 'socket closed ' + event.code + (event.reason ? ' ' + event.reason : '');
      const retry = !this.stopped && (this.welcome !== null || this.retryBeforeWelcome);
      if (retry) {
        this.stats.drops++;
        this.scheduleRetry();
      }
      this.handlers.closed(why, retry);
    };
  }

  onError(e) {
    if (e.code === ErrorCode.UNKNOWN_NODE) {
      // Our place was given up while we were away: join afresh on this socket.
      this.nodeId = null;
      this.resumeToken = null;
      this.sendJoin();
      return;
    }
    if (e.code === ErrorCode.BAD_CREDENTIAL && this.nodeId) {
      // A resume this cluster refuses (the token expired or was spent, its secret changed): join afresh.
      this.nodeId = null;
      this.resumeToken = null;
    }
    if (FATAL.has(e.code)) this.stopped = true;
    this.handlers.error(e);
  }

  sendJoin() {
    if (this.welcome) this.stats.rejoins++;
    const upload = typeof this.options.upload === 'function' ? this.options.upload() : this.options.upload !== false;
    // key: the publish key of a realtime publisher, or a private stream's viewer token (null for a public stream).
    const join = { type: 'join', stream: this.options.stream, role: this.options.role || Role.VIEWER,
      key: this.options.key || null, upload: upload };
    // The public half of our key: the coordinator binds our resume tokens to it.
    if (this.nodeKey) join.nodeKey = this.nodeKey.publicKey;
    this.send(join);
  }

  scheduleRetry() {
    if (this.retryTimer !== null || this.stopped) return;
    this.retryTimer = setTimeout(() => this.connect(), this.backoff.next());
  }

  /** Whether the socket is open and this node holds a place. */
  get connected() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.nodeId !== null;
  }

  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(Object.assign({ v: 1 }, message)));
    return true;
  }

  signal(to, data) {
    return this.send({ type: 'signal', to: to, data: data });
  }

  /**
   * One heartbeat now (with `extra`, e.g. {uplinkKbps: 0}), and the regular ones after it. Stats may come as a
   * promise (a realtime page reads getStats()); they are best effort: the heartbeat itself keeps the place.
   */
  heartbeat(extra) {
    // Without `extra`, what the node measured (its uplink) rides along.
    const fields = extra || (this.handlers.measured ? this.handlers.measured() : {});
    const beat = (stats) => this.send(Object.assign(stats ? { type: 'heartbeat', stats: stats } : { type: 'heartbeat' },
      fields));
    let stats;
    try {
      stats = this.handlers.stats();
    } catch (e) {
      return beat(null);
    }
    if (stats && typeof stats.then === 'function') {
      stats.then(beat, () => beat(null));
      return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
    }
    return beat(stats);
  }

  startHeartbeats(intervalMs) {
    this.stopHeartbeats();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), intervalMs);
  }

  stopHeartbeats() {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /**
   * Gives up this place and takes a new one with the current options (upload turned back on): `leave`, then a
   * fresh `join` on a new socket. The coordinator closes the old socket once it has repaired the tree.
   */
  rejoin() {
    this.nodeId = null;
    this.resumeToken = null;
    this.backoff.reset();
    this.tries = 0;
    if (!this.send({ type: 'leave' })) {
      if (this.ws) this.ws.close(1000);
      else if (this.retryTimer === null) this.connect();
    }
    // onclose (the coordinator's 1000 after the repair) connects again, at once: attempt 0 → ≤ 250 ms.
  }

  /** A new socket and a fresh `join` (after `evicted` or `no-slot`: the coordinator asks to join again later). */
  reconnect() {
    this.nodeId = null;
    this.resumeToken = null;
    if (this.ws) this.ws.close(1000);
    else if (this.retryTimer === null) this.connect();
  }

  /** Test hook: drop the socket as a network failure would; reconnection and `resume` follow. */
  drop() {
    if (this.ws) this.ws.close(4000, 'dropped');
  }

  /** Graceful departure (pagehide): `leave` (children are re-attached at once), then close for good. */
  leave() {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.stopHeartbeats();
    this.send({ type: 'leave' });
    if (this.ws) this.ws.close(1000);
  }

  close() {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.stopHeartbeats();
    if (this.ws) this.ws.close(1000);
  }
}

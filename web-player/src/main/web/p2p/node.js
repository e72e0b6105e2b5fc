// The page as a node of the tree (the browser side of relay-node's RelayNode + GapFiller): joins through
// signalling.js, takes frames from its parent over peer.js, verifies every header and chunk into the store
// (store.js, WebCrypto) and heals what the parent does not deliver in time over HTTP from a fallback relay.
//
// It also forwards to its children (RelayNode + Forwarder): unless it joined with `upload: false` (then the
// coordinator never gives it children), it answers each child's offer, sends a new child the last
// BACKLOG_SEGMENTS segments when its channel opens, and then forwards cut-through every frame the store
// accepted (from the parent, or fetched by the gap filler) to every open child, skipping a child whose channel
// queues more than HIGH_WATER bytes and reporting it `slow-child` once it stays slow. What the player plays comes
// from here: playlist() and waitForSegment().

import { decodeFrame, encodeChunkFrame, encodeHeaderFrame } from './frames.js';
import { buildPlaylist, ChunkResult, HeaderResult, SegmentStore } from './store.js';
import { importPublicKey } from './verify.js';
import { decryptSegment, importContentKey } from './content.js';
import { Signalling } from './signalling.js';
import { ChildLink, ParentLink } from './peer.js';

/** A chunk not here this long after its header is fetched over HTTP (relay default). */
export const CHUNK_DEADLINE_MS = 1500;
/** A parent silent this long: the fallback playlist is polled for segments it never announced. */
export const PARENT_SILENCE_MS = 3000;
export const TICK_MS = 250;
const PLAYLIST_POLL_MS = 1000;
const FETCH_TIMEOUT_MS = 5000;
const STARVING_REPORT_MS = 5000;
/** Above this many queued bytes a child is skipped rather than queued further (Forwarder.HIGH_WATER). */
export const HIGH_WATER = 4 * 1024 * 1024;
/** Segments a child that just connected receives from the store, oldest first. */
export const BACKLOG_SEGMENTS = 3;
/** A child skipped this long is reported `slow-child` (relay default). */
export const SLOW_CHILD_REPORT_MS = 3000;
/**
 * Segments the player takes over HTTP at once while the store holds nothing yet (the parent link still forming):
 * the first, so that starting costs no time; the next ones wait for the link (up to the loader's deadline), so
 * a crowd of joining pages does not pull several segments each from the origin.
 */
export const STARTUP_HTTP_SEGMENTS = 1;
/** After `evicted` or `no-slot`, ask for a place again about this much later. */
const REJOIN_AFTER_MS = 10000;

export class BrowserNode {
  /**
   * @param {{stream: string, upload?: boolean, bufferSeconds?: () => number, playbackStats?: () => Object,
   *          key?: string, firstLinkAfter?: Promise}} options  `key`: a private stream's viewer token;
   *          `firstLinkAfter`: the first parent link is set up once this
   *          settles (the player's first fragment is in: the link's set-up and the parent's backlog, received
   *          and verified, then no longer compete with it; that first segment comes over HTTP)
   */
  constructor(options) {
    this.stream = options.stream;
    this.key = options.key || null;
    /** A private stream's content key (CryptoKey), from the welcome; null for a public stream. */
    this.contentKey = null;
    this.upload = options.upload !== false;
    /** @type {Map<string, ChildLink>} */
    this.children = new Map();
    this.bufferSeconds = options.bufferSeconds || (() => 0);
    /** More figures for the heartbeat's free-form stats (the dashboard shows them), e.g. the live-edge distance. */
    this.playbackStats = options.playbackStats || (() => ({}));
    this.firstLinkAfter = options.firstLinkAfter || Promise.resolve();
    this.closed = false;
    this.store = null;
    this.signalling = null;
    this.welcome = null;
    this.nodeId = null;
    this.depth = null;
    this.assignedParent = null;
    this.parent = null;        // a ParentLink whose channel is open
    this.pendingParent = null; // the link being set up (replaces `parent` once it opens)
    this.fallbacks = [];
    this.fallbackIndex = 0;
    this.fetching = new Set();
    this.lastPoll = 0;
    this.lastParentFrameAt = 0;
    this.parentLostAt = -1;
    this.lastBadDataReport = 0;
    this.timer = null;
    this.rejoinTimer = null;
    this.error = null;
    this.stats = {
      bytesFromParent: 0, bytesByFallback: 0, chunksByHttp: 0, headersByHttp: 0, segmentsByHttp: 0,
      verificationFailures: 0, malformedFrames: 0, parentChanges: 0,
      bytesSentToChildren: 0, framesSkipped: 0, childrenServed: 0, slowChildReports: 0, uploadChanges: 0,
    };
  }

  /** Joins; resolves once welcomed and the stream's key is imported, rejects on a coordinator error before that. */
  start() {
    return new Promise((resolve, reject) => {
      let welcomed = false;
      this.signalling = new Signalling({ stream: this.stream, upload: () => this.upload, key: this.key }, {
        welcome: (w) => {
          this.onWelcome(w).then(() => {
            welcomed = true;
            resolve(this);
          }, reject);
        },
        message: (m) => this.onMessage(m),
        error: (e) => {
          this.error = e.code + ': ' + e.message;
          if (!welcomed) reject(new Error(this.error));
          if (e.code === 'evicted' || e.code === 'no-slot') {
            // No place in the tree for now: play over HTTP and ask again in a while (jittered, as a crowd would).
            this.dropParent();
            if (welcomed && this.rejoinTimer === null) {
              this.rejoinTimer = setTimeout(() => {
                this.rejoinTimer = null;
                this.signalling.reconnect();
              }, REJOIN_AFTER_MS * (0.5 + Math.random()));
            }
          }
        },
        closed: (why, willRetry) => {
          this.error = why + (willRetry ? ' (reconnecting)' : '');
          if (!welcomed) reject(new Error(why));
        },
        stats: () => Object.assign({ bytesFromParent: this.stats.bytesFromParent,
          bytesByFallback: this.stats.bytesByFallback, bufferSeconds: Math.round(this.bufferSeconds() * 10) / 10 },
        this.playbackStats()),
      });
      this.signalling.start();
    });
  }

  async onWelcome(w) {
    if (this.store) {
      this.rewelcome(w);
      return;
    }
    this.welcome = w;
    this.nodeId = w.nodeId;
    this.depth = w.depth;
    this.fallbacks = Array.isArray(w.fallbacks) ? w.fallbacks.map((b) => b.replace(/\/+$/, '')) : [];
    if (w.stream && w.stream.privateStream) {
      if (!w.contentKey) throw new Error('no-content-key: the origin of this private stream has not joined yet');
      this.contentKey = await importContentKey(w.contentKey);
    }
    let publicKey = w.stream && w.stream.publicKey;
    while (!publicKey || this.fallbacks.length === 0) {
      // No origin yet: the coordinator learns its key and HTTP base when it joins.
      await new Promise((r) => setTimeout(r, 2000));
      const res = await fetch('/api/streams/' + encodeURIComponent(this.stream) + '/fallbacks', { cache: 'no-store',
        headers: this.key ? { Authorization: 'Bearer ' + this.key } : {} });
      if (res.ok) {
        const body = await res.json();
        publicKey = body.publicKey;
        if (Array.isArray(body.fallbacks)) this.fallbacks = body.fallbacks.map((b) => b.replace(/\/+$/, ''));
      }
    }
    const key = await importPublicKey(publicKey);
    if (this.closed) return; // closed while joining (e.g. the page fell back to plain HLS)
    this.store = new SegmentStore(key, { stream: this.stream });
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.keepUploadSetting(w);
    if (w.parent) {
      this.assignedParent = w.parent;
      this.lastParentFrameAt = Date.now(); // no HTTP polling while the first link waits for its turn
      const linkFirstParent = () => {
        // Unless a reparent (or a new welcome) linked meanwhile; `assignedParent` is the latest word.
        if (!this.closed && !this.parent && !this.pendingParent && this.assignedParent) this.connectTo(this.assignedParent);
      };
      this.firstLinkAfter.then(linkFirstParent, linkFirstParent);
    }
  }

  /**
   * A welcome after a reconnection. `resumed`: the same place (same id, parent and children), nothing to redo
   * unless the parent link died meanwhile. Otherwise a new place: the old place's children were re-attached
   * elsewhere, and the parent (even the same node) expects an offer from the new id. Until the new link
   * carries data the old one (or the HTTP fallback) keeps the store filled.
   */
  rewelcome(w) {
    const newPlace = w.nodeId !== this.nodeId;
    this.welcome = w;
    this.nodeId = w.nodeId;
    this.depth = w.depth;
    if (Array.isArray(w.fallbacks) && w.fallbacks.length > 0) this.fallbacks = w.fallbacks.map((b) => b.replace(/\/+$/, ''));
    if (newPlace) {
      for (const child of [...this.children.values()]) child.close('new place');
      this.children.clear();
    }
    this.keepUploadSetting(w);
    if (w.parent) this.connectTo(w.parent, newPlace);
  }

  /** A place with slots while upload is off (e.g. it was turned off while disconnected): give them up. */
  keepUploadSetting(w) {
    if (!this.upload && w.capacity > 0) this.signalling.heartbeat({ uplinkKbps: 0 });
  }

  /**
   * Turns forwarding on or off mid-session; playback never stops for it.
   * - off: a heartbeat declaring an uplink of 0 kbps, which the coordinator turns into 0 slots, moving the
   *   children elsewhere ("capacity-changed"); each leaves this page's link once its new one carries data, and
   *   no new child is accepted. Same place, same parent.
   * - on: the coordinator never raises a place's slots from 0, so this leaves and joins afresh with
   *   `upload: true` (a new place and node id); the old parent link keeps feeding the store until the new one
   *   opens, and the HTTP fallback covers any gap.
   */
  setUpload(on) {
    on = !!on;
    if (on === this.upload) return;
    this.upload = on;
    this.stats.uploadChanges++;
    if (!this.signalling) return;
    if (on) this.signalling.rejoin();
    else this.signalling.heartbeat({ uplinkKbps: 0 });
  }

  /** The page goes away (pagehide): `leave`, so the coordinator re-attaches the children at once, and close. */
  leave() {
    if (this.signalling) this.signalling.leave();
    this.close();
  }

  onMessage(m) {
    if (m.type === 'signal') {
      const link = this.pendingParent && this.pendingParent.parentId === m.from ? this.pendingParent
        : this.parent && this.parent.parentId === m.from ? this.parent : null;
      if (link) {
        link.signal(m.data);
      } else if (typeof m.from === 'string') {
        let child = this.children.get(m.from);
        // An offer from a child we were not told of yet (notices and signals race across coordinators), or a
        // second offer from a known child (it made a new link): a fresh link answers it.
        if (this.upload && m.data && m.data.type === 'offer' && (!child || child.offerSeen)) {
          child = this.addChild(m.from, true);
        }
        if (child) child.signal(m.data);
      }
    } else if (m.type === 'child-joined') {
      if (this.upload && typeof m.child === 'string') this.addChild(m.child);
    } else if (m.type === 'child-left') {
      this.removeChild(m.child);
    } else if (m.type === 'reparent') {
      if (typeof m.depth === 'number') this.depth = m.depth;
      if (m.parent) {
        if (m.reason === 'origin-reconnected' && this.parent && this.parent.parentId === m.parent) {
          const old = this.parent;
          this.parent = null;
          old.close('origin reconnected');
        }
        this.connectTo(m.parent);
      }
    }
  }

  // --- children (Forwarder.java) --------------------------------------------------------------------------

  /** The link to `childId`: the current one unless `fresh` (then a new one replaces it). */
  addChild(childId, fresh = false) {
    if (!this.store) return null;
    const existing = this.children.get(childId);
    if (existing && !existing.closed && !fresh) return existing; // child-joined after its offer: keep the link
    if (existing) existing.close('replaced');
    const iceServers = (this.welcome && this.welcome.iceServers) || [];
    const child = new ChildLink(childId, iceServers, {
      signal: (to, data) => this.signalling.signal(to, data),
      open: (link) => this.childOpened(link),
      closed: (link) => {
        if (this.children.get(link.childId) === link) this.children.delete(link.childId);
      },
    });
    this.children.set(childId, child);
    return child;
  }

  removeChild(childId) {
    const child = this.children.get(childId);
    if (child) {
      this.children.delete(childId);
      child.close('child left');
    }
  }

  /** A child's channel just opened: give it the recent segments so it can start playing and forwarding. */
  childOpened(child) {
    if (this.children.get(child.childId) !== child) return;
    this.stats.childrenServed++;
    const held = this.store.sequences();
    for (const sequence of held.slice(Math.max(0, held.length - BACKLOG_SEGMENTS))) {
      const h = this.store.header(sequence);
      const status = this.store.status(sequence);
      if (!h || !status) continue;
      this.sendTo(child, encodeHeaderFrame(h.headerBytes, h.signature));
      for (let i = 0; i < status.chunkCount; i++) {
        const bytes = this.store.chunk(sequence, i);
        if (bytes) this.sendTo(child, encodeChunkFrame(sequence, i, bytes));
      }
    }
  }

  sendTo(child, bytes) {
    if (child.send(bytes)) {
      this.stats.bytesSentToChildren += bytes.byteLength;
      return true;
    }
    return false;
  }

  /** Sends one encoded frame to every open child that keeps up (Forwarder.broadcast). */
  broadcast(bytes) {
    if (this.children.size === 0) return;
    const now = Date.now();
    for (const child of this.children.values()) {
      if (!child.isOpen()) continue;
      if (child.buffered() > HIGH_WATER || !this.sendTo(child, bytes)) {
        this.stats.framesSkipped++;
        if (child.slowSince < 0) child.slowSince = now;
      } else if (child.buffered() < HIGH_WATER / 2) {
        child.slowSince = -1;
      }
    }
  }

  /** Reports children skipped for too long; at most once per interval each. */
  checkSlowChildren(now) {
    for (const child of this.children.values()) {
      if (child.slowSince >= 0 && now - child.slowSince > SLOW_CHILD_REPORT_MS
          && now - child.lastSlowReport > SLOW_CHILD_REPORT_MS) {
        child.lastSlowReport = now;
        this.stats.slowChildReports++;
        this.signalling.send({ type: 'report', about: child.childId, reason: 'slow-child',
          detail: 'send queue above high water' });
      }
    }
  }

  /** The links' states, for debugging a failed test: parent, pending parent and children. */
  links() {
    const describe = (id, link) => link ? { id: id, pc: link.pc.connectionState, ice: link.pc.iceConnectionState,
      channel: link.channel ? link.channel.readyState : null, closed: link.closed,
      signaling: link.pc.signalingState, why: link.closeReason || null, offerSeen: link.offerSeen } : null;
    return {
      parent: this.parent && describe(this.parent.parentId, this.parent),
      pending: this.pendingParent && describe(this.pendingParent.parentId, this.pendingParent),
      children: [...this.children.values()].map((c) => describe(c.childId, c)),
    };
  }

  /** Children whose channel is open. */
  get childCount() {
    let n = 0;
    for (const child of this.children.values()) if (child.isOpen()) n++;
    return n;
  }

  /** Links to `parentId` unless already linked or linking (`fresh`: a new link anyway, as for a new node id). */
  connectTo(parentId, fresh = false) {
    if (!this.store) return;
    if (!fresh && this.parent && this.parent.parentId === parentId && !this.parent.closed) return;
    if (!fresh && this.pendingParent && this.pendingParent.parentId === parentId && !this.pendingParent.closed) return;
    this.assignedParent = parentId;
    this.lastParentFrameAt = Date.now(); // give the new link its chance before HTTP steps in
    if (this.pendingParent) this.pendingParent.close('replaced');
    this.stats.parentChanges++;
    const iceServers = (this.welcome && this.welcome.iceServers) || [];
    this.pendingParent = new ParentLink(parentId, iceServers, {
      signal: (to, data) => this.signalling.signal(to, data),
      open: (link) => this.linkOpened(link),
      message: (link, data) => this.frame(link, data),
      closed: (link, why) => this.linkClosed(link, why),
    });
  }

  linkOpened(link) {
    if (link !== this.pendingParent) return;
    const old = this.parent;
    this.parent = link; // the new link carries data now: only then let the old one go
    this.pendingParent = null;
    this.parentLostAt = -1;
    if (old) old.close('reparented');
  }

  linkClosed(link, why) {
    if (link === this.parent) {
      this.parent = null;
      this.parentLostAt = Date.now();
    } else if (link === this.pendingParent) {
      this.pendingParent = null;
      this.parentLostAt = Date.now();
    }
  }

  dropParent() {
    for (const link of [this.parent, this.pendingParent]) if (link) link.close('dropped');
    this.parent = null;
    this.pendingParent = null;
    this.assignedParent = null;
    this.lastParentFrameAt = 0; // nothing will come: poll the fallback at once
  }

  /** The id of the parent this page has a working link to, or null. */
  get parentId() {
    return this.parent ? this.parent.parentId : null;
  }

  // --- frames from the parent -----------------------------------------------------------------------------

  frame(link, data) {
    if (link !== this.parent && link !== this.pendingParent) return;
    this.lastParentFrameAt = Date.now();
    this.stats.bytesFromParent += data.byteLength;
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (e) {
      this.stats.malformedFrames++;
      return;
    }
    // addHeader registers its verification synchronously, so the chunks after it wait for it: call in order.
    if (frame.type === 'header') {
      this.store.addHeader(frame).then((r) => {
        if (r === HeaderResult.STORED) this.broadcast(data);
        else if (r === HeaderResult.REJECTED) this.badData(link, 'segment header ' + frame.header.sequence + ' failed its signature');
      });
    } else if (frame.type === 'chunk') {
      this.store.addChunk(frame.sequence, frame.index, frame.payload).then((r) => {
        if (r === ChunkResult.STORED) {
          this.broadcast(data);
        } else if (r === ChunkResult.REJECTED) {
          this.badData(link, 'chunk ' + frame.index + ' of segment ' + frame.sequence + ' failed SHA-256');
          this.fetchChunks(frame.sequence, [frame.index]);
        }
      });
    } else if (frame.type === 'window') {
      this.broadcast(data);
    }
    // control frames: nothing to do.
  }

  badData(link, detail) {
    this.stats.verificationFailures++;
    const now = Date.now();
    if (now - this.lastBadDataReport > 2000) {
      this.lastBadDataReport = now;
      this.signalling.send({ type: 'report', about: link.parentId, reason: 'bad-data', detail: detail });
    }
  }

  // --- what the player reads ------------------------------------------------------------------------------

  /** The store's HLS playlist (segment URIs seg-N.ts), or null until a segment is complete. */
  playlist() {
    return this.store ? buildPlaylist(this.store) : null;
  }

  /**
   * Segment `sequence` from the store, waiting up to `deadlineMs`; null when it is not coming in time (then the
   * caller fetches it over HTTP). Gives up at once on a segment older than everything the parent is sending,
   * and on the first STARTUP_HTTP_SEGMENTS while the store holds nothing yet: the link to the parent is still
   * forming, and the first segment comes over HTTP meanwhile rather than after it (no start-up penalty).
   */
  async waitForSegment(sequence, deadlineMs) {
    const empty = !this.store || this.store.size === 0;
    if (empty && this.stats.segmentsByHttp < STARTUP_HTTP_SEGMENTS) return null;
    const until = Date.now() + deadlineMs;
    for (;;) {
      if (!this.store) return null;
      const bytes = this.store.segmentBytes(sequence);
      if (bytes) return bytes;
      const held = this.store.sequences();
      const skipped = !this.store.header(sequence) && held.length > 0 && held[held.length - 1] > sequence;
      if (skipped || Date.now() >= until) return null;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * What the player gets for segment `sequence` (verified store bytes or an HTTP fetch): on a private stream the
   * plaintext, decrypted (and so authenticated) with the content key; on a public one the bytes themselves.
   * @returns {Promise<ArrayBuffer>}
   */
  async reveal(sequence, bytes) {
    if (!this.contentKey) {
      const whole = !(bytes instanceof Uint8Array) || (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength);
      return whole ? (bytes.buffer || bytes) : bytes.slice().buffer;
    }
    return decryptSegment(this.contentKey, sequence, bytes);
  }

  /** Fallback bases known before the welcome (the page asks the coordinator too): used until it lists its own. */
  useFallbacks(bases) {
    if (this.fallbacks.length === 0 && Array.isArray(bases)) this.fallbacks = bases.map((b) => b.replace(/\/+$/, ''));
  }

  /** The URL of `path` (e.g. "index.m3u8", "seg-7.ts") at the current fallback relay. */
  fallbackUrl(path) {
    const base = this.fallbacks[this.fallbackIndex % Math.max(1, this.fallbacks.length)];
    return base + '/hls/' + encodeURIComponent(this.stream) + '/' + path;
  }

  /** A fetch from the current fallback; a failure moves to the next fallback for the following fetches. */
  async fetchFallback(path, timeoutMs = FETCH_TIMEOUT_MS, signal = null) {
    const url = this.fallbackUrl(path);
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (signal) signals.push(signal);
    try {
      const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.any(signals) });
      if (!res.ok) throw new Error(url + ' answered ' + res.status);
      return res;
    } catch (e) {
      this.fallbackIndex++;
      throw e;
    }
  }

  /** Whole segments the player fetched over HTTP (they bypass the store): counted as fallback bytes. */
  countHttpSegment(byteLength) {
    this.stats.bytesByFallback += byteLength;
    this.stats.segmentsByHttp++;
  }

  // --- gap filler (GapFiller.java) ------------------------------------------------------------------------

  tick() {
    const now = Date.now();
    this.checkSlowChildren(now);
    for (const sequence of this.store.sequences()) {
      const s = this.store.status(sequence);
      if (s && !s.complete && now - s.headerAtMillis > CHUNK_DEADLINE_MS && !this.fetching.has(sequence)) {
        this.fetchChunks(sequence, this.store.missingChunks(sequence));
      }
    }
    if (now - this.lastParentFrameAt > PARENT_SILENCE_MS && now - this.lastPoll > PLAYLIST_POLL_MS) {
      this.lastPoll = now;
      this.pollFallback().catch(() => {});
    }
    // A dead link to a parent the coordinator still lists: ask to be moved rather than wait forever.
    if (!this.parent && !this.pendingParent && this.assignedParent && this.parentLostAt > 0
        && now - this.parentLostAt > STARVING_REPORT_MS) {
      this.parentLostAt = now;
      this.signalling.send({ type: 'report', about: this.assignedParent, reason: 'starving', detail: 'no link to the parent for 5 s' });
    }
  }

  async pollFallback() {
    const text = await (await this.fetchFallback('index.m3u8')).text();
    const available = [];
    for (const m of text.matchAll(/^seg-(\d+)\.ts$/gm)) available.push(Number(m[1]));
    const held = this.store.sequences();
    // Holding nothing: start near the live edge; else fill every hole after what is held.
    const from = held.length > 0 ? held[0] : available.length === 0 ? Infinity : available[Math.max(0, available.length - 3)];
    for (const sequence of available) {
      if (sequence < from || held.includes(sequence) || this.fetching.has(sequence)) continue;
      this.fetching.add(sequence);
      this.fetchHeader(sequence).then((stored) => {
        this.fetching.delete(sequence);
        if (stored) this.fetchChunks(sequence, this.store.missingChunks(sequence));
      }, () => this.fetching.delete(sequence));
    }
  }

  async fetchHeader(sequence) {
    const bytes = await (await this.fetchFallback('seg-' + sequence + '.hdr')).arrayBuffer();
    const r = await this.store.addHeader(decodeFrame(bytes));
    if (r === HeaderResult.STORED) {
      this.broadcast(bytes);
      this.stats.bytesByFallback += bytes.byteLength;
      this.stats.headersByHttp++;
    }
    return r === HeaderResult.STORED || r === HeaderResult.DUPLICATE;
  }

  async fetchChunks(sequence, missing) {
    if (missing.length === 0 || this.fetching.has(sequence)) return;
    this.fetching.add(sequence);
    try {
      await Promise.all(missing.map(async (index) => {
        if (this.store.chunk(sequence, index)) return; // the parent delivered it meanwhile
        const bytes = new Uint8Array(await (await this.fetchFallback('seg-' + sequence + '.ts/chunk/' + index)).arrayBuffer());
        if (await this.store.addChunk(sequence, index, bytes) === ChunkResult.STORED) {
          this.broadcast(encodeChunkFrame(sequence, index, bytes));
          this.stats.bytesByFallback += bytes.byteLength;
          this.stats.chunksByHttp++;
        }
      }));
    } catch (e) {
      // the next tick tries again (from the next fallback)
    } finally {
      this.fetching.delete(sequence);
    }
  }

  close() {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.rejoinTimer !== null) clearTimeout(this.rejoinTimer);
    for (const link of [this.parent, this.pendingParent]) if (link) link.close('closing');
    for (const child of [...this.children.values()]) child.close('closing');
    this.children.clear();
    if (this.signalling) this.signalling.close();
  }
}

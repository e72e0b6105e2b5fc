// The page as a node of the tree (the browser side of relay-node's RelayNode): joins through signalling.js and
// wires the parts that do the work. What the player plays comes from here: playlist(), waitForSegment(),
// reveal() and the fallback fetches.
// - place.js: the page's place across the session (first welcome, resume or new place, eviction, upload on/off);
// - upstream.js: the link to the parent, each frame verified into the store (store.js, WebCrypto);
// - downstream.js: the children, each accepted frame forwarded cut-through;
// - gaps.js + fallback.js: what the parent does not deliver in time, healed over HTTP from a fallback relay;
// - partstore.js: with `parts` (an LL-HLS page), the LL-HLS parts the parent sends once asked, verified, for the
//   player (loader.js) and for the children that ask in turn.

import { DEFAULT_PLAYLIST_SEGMENTS, renderPlaylist, SegmentStore } from './store.js';
import { decryptSegment } from './content.js';
import { Signalling } from './signalling.js';
import { Place } from './place.js';
import { Upstream } from './upstream.js';
import { Downstream } from './downstream.js';
import { lanesOption } from './lanes.js';
import { GapFiller, parentBehind } from './gaps.js';
import { Fallbacks } from './fallback.js';
import { DeliveryCost } from './delivery.js';
import { PartStore } from './partstore.js';
import { ErrorCode } from './vocabulary.js';

export const TICK_MS = 250;
/** Segment loads remembered for the page state (noteLoad): 80 s of play, a whole test's worth. */
export const LOADS_KEPT = 40;
/** LL-HLS loads kept for a stall's diagnosis (node.partLoads): ~40 s of parts and playlist reloads. */
export const PART_LOADS_KEPT = 240;
/**
 * Segments hls.js appends before the first parent link is set up (watch.js): the link's set-up and the parent's
 * backlog, received and verified, then no longer compete with them on a busy device. Every segment asked for
 * while the store holds nothing comes over HTTP at once (waitForSegment), these and any after them.
 */
export const STARTUP_HTTP_SEGMENTS = 2;
/**
 * How far past the newest part held an LL part hls.js asks for may be and still be waited for: hls.js asks once the
 * playlist's relay holds the part, and the tree brings it ~100–150 ms later down three pages (LlPagesIT), so the
 * page holds the one before or the one before that.
 */
export const PARTS_AHEAD_WAITED = 2;

export class BrowserNode {
  /**
   * @param {{stream: string, upload?: boolean, lanes?: string|number, bufferSeconds?: () => number,
   *          playbackStats?: () => Object, key?: string, firstLinkAfter?: Promise, server?: string, parts?: boolean}}
   *          options  `key`: a private stream's viewer token; `parts`: an LL-HLS page, which asks its parent for parts;
   *          `server`: the coordinator's base URL when it is not this page's origin (a site embedding the player);
   *          `firstLinkAfter`: the first parent link is set up once this
   *          settles (the player's first fragment is in: the link's set-up and the parent's backlog, received
   *          and verified, then no longer compete with it; that first segment comes over HTTP)
   */
  constructor(options) {
    this.stream = options.stream;
    this.key = options.key || null;
    /** The coordinator's base URL, '' for this page's own origin (its REST API and /ws). */
    this.server = (options.server || '').replace(/\/+$/, '');
    /** A private stream's content key (CryptoKey), from the welcome; null for a public stream. */
    this.contentKey = null;
    this.upload = options.upload !== false;
    /** Peer connections per link to the parent (lanes.js). */
    this.lanes = lanesOption(options.lanes);
    this.bufferSeconds = options.bufferSeconds || (() => 0);
    /** More figures for the heartbeat's free-form stats (the dashboard shows them), e.g. the live-edge distance. */
    this.playbackStats = options.playbackStats || (() => ({}));
    this.firstLinkAfter = options.firstLinkAfter || Promise.resolve();
    this.closed = false;
    this.store = null;
    this.wantsParts = !!options.parts;
    /** The LL-HLS part store (partstore.js) of a page with `parts`, from the first welcome; else null. */
    this.parts = null;
    /** The recent LL-HLS loads (notePartLoad). */
    this.partLoads = [];
    /**
     * Whether this page takes the classic segments from its parent: always, unless it takes parts and no child of
     * its has played segments (then the stream comes once, as parts, and its segment gap filler rests).
     */
    this.segmentsWanted = !this.wantsParts;
    this.signalling = null;
    this.welcome = null;
    this.nodeId = null;
    this.depth = null;
    this.timer = null;
    this.error = null;
    /** The newest segment a playlist handed to the player listed: no later playlist may end before it. */
    this.listedUpTo = -1;
    this.stats = {
      bytesFromParent: 0, bytesByFallback: 0, chunksByHttp: 0, headersByHttp: 0, segmentsByHttp: 0,
      verificationFailures: 0, malformedFrames: 0, parentChanges: 0,
      partsFromStore: 0, partsByHttp: 0, partFetchesAborted: 0, partBytesFromParent: 0, partLagMs: [],
      bytesSentToChildren: 0, framesSkipped: 0, childrenServed: 0, slowChildReports: 0, uploadChanges: 0,
      loads: [],
    };
    /** Segments the player has asked for (noteLoad), while the store may still hold them: the gap filler's clock. */
    this.askedSegments = new Set();
    // Every frame the store accepts, from the parent or over HTTP, goes on to the children (with the frame decoded).
    const forward = (bytes, frame) => this.downstream.broadcast(bytes, frame);
    this.place = new Place(this);
    this.downstream = new Downstream(this);
    this.httpFallback = new Fallbacks(this.stream);
    /** What an HTTP segment costs this page, fetch and append (the loader's wait for the store leaves it room). */
    this.delivery = new DeliveryCost();
    this.gaps = new GapFiller(this, this.httpFallback, forward);
    this.upstream = new Upstream(this, forward, (sequence, indexes) => this.gaps.fetchChunks(sequence, indexes),
      (bytes) => this.downstream.broadcastPart(bytes));
  }

  /** Joins; resolves once welcomed and the stream's key is imported, rejects on a coordinator error before that. */
  start() {
    return new Promise((resolve, reject) => {
      let welcomed = false;
      this.signalling = new Signalling({ stream: this.stream, upload: () => this.upload, key: this.key,
        url: this.server ? Signalling.wsUrl(this.server) : undefined }, {
        welcome: (w) => {
          this.place.welcome(w).then(() => {
            welcomed = true;
            resolve(this);
          }, reject);
        },
        message: (m) => this.onMessage(m),
        error: (e) => {
          this.error = e.code + ': ' + e.message;
          if (!welcomed) reject(new Error(this.error));
          if (e.code === ErrorCode.EVICTED || e.code === ErrorCode.NO_SLOT) this.place.lost(welcomed);
        },
        closed: (why, willRetry) => {
          this.error = why + (willRetry ? ' (reconnecting)' : '');
          if (!welcomed) reject(new Error(why));
        },
        // The uplink seen so far (uplink.js): the coordinator sizes this page's slots by it. Not while upload is
        // off: then place.js has said 0 and the page is a leaf.
        measured: () => {
          const kbps = this.upload ? this.downstream.uplinkKbps(Date.now()) : null;
          return kbps === null ? {} : { uplinkKbps: kbps };
        },
        stats: () => Object.assign({ bytesFromParent: this.stats.bytesFromParent,
          bytesByFallback: this.stats.bytesByFallback, bufferSeconds: Math.round(this.bufferSeconds() * 10) / 10 },
        this.playbackStats()),
      });
      this.signalling.start();
    });
  }

  /** The stream's key is known (first welcome): the store, and the tick that heals and reports. */
  begin(publicKey) {
    this.store = new SegmentStore(publicKey, { stream: this.stream });
    if (this.wantsParts) {
      this.parts = new PartStore(publicKey, { stream: this.stream });
      this.parts.lags = this.stats.partLagMs; // in the page state: how far behind the origin's cut parts arrive
    }
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  tick() {
    const now = Date.now();
    this.downstream.checkSlow(now);
    if (this.segmentsWanted) this.gaps.tick(now, this.upstream.lastFrameAt);
    const oldest = this.store.sequences()[0];
    for (const sequence of this.askedSegments) {
      if (oldest === undefined || sequence < oldest) this.askedSegments.delete(sequence);
    }
    this.upstream.checkStarving(now);
  }

  onMessage(m) {
    if (m.type === 'signal') {
      if (!this.upstream.signal(m.from, m.data) && typeof m.from === 'string') this.downstream.signal(m.from, m.data);
    } else if (m.type === 'child-joined') {
      if (typeof m.child === 'string') this.downstream.joined(m.child);
    } else if (m.type === 'child-left') {
      this.downstream.remove(m.child);
    } else if (m.type === 'reparent') {
      if (typeof m.depth === 'number') this.depth = m.depth;
      if (m.parent) this.upstream.reparent(m.parent, m.reason);
    } else if (m.type === 'ice-servers') {
      // Fresh TURN credentials before the welcome's expire: for the links made from now on.
      if (this.welcome && Array.isArray(m.iceServers)) this.welcome.iceServers = m.iceServers;
    }
  }

  /** Turns forwarding on or off mid-session (Place.setUpload); playback never stops for it. */
  setUpload(on) {
    this.place.setUpload(on);
  }

  /** The page goes away (pagehide): `leave`, so the coordinator re-attaches the children at once, and close. */
  leave() {
    if (this.signalling) this.signalling.leave();
    this.close();
  }

  /** The latest welcome's or ice-servers' list, RTCIceServer-shaped (TURN entries carry username and credential). */
  get iceServers() {
    return (this.welcome && this.welcome.iceServers) || [];
  }

  /** The id of the parent this page has a working link to, or null. */
  get parentId() {
    return this.upstream.parentId;
  }

  /** Children whose channel is open. */
  get childCount() {
    return this.downstream.openCount;
  }

  /** The links' states, for debugging a failed test: parent, pending parent and children. */
  links() {
    const describe = (id, link) => link ? { id: id, pc: link.pc.connectionState, ice: link.pc.iceConnectionState,
      channel: link.channel ? link.channel.readyState : null, closed: link.closed,
      signaling: link.pc.signalingState, why: link.closeReason || null, offerSeen: link.offerSeen,
      buffered: link.channel ? link.channel.bufferedAmount : null, relayOnly: link.relayOnly || undefined,
      gathered: link.gathered, candidateError: link.candidateError, lanes: link.openLanes,
      laneBytes: link.laneBytes } : null;
    const { link, pending } = this.upstream;
    return {
      parent: link && describe(link.parentId, link),
      pending: pending && describe(pending.parentId, pending),
      children: [...this.downstream.children.values()].map((c) => describe(c.childId, c)),
    };
  }

  // --- what the player reads ------------------------------------------------------------------------------

  /**
   * The store's HLS playlist (segment URIs seg-N.ts) while the store keeps up with the stream; null while it has
   * nothing to play, or lags: its parent is behind (the next header overdue), a hole holds its playlist back (a
   * later segment's header is in), or it ends before a playlist the player already had. The player then gets the
   * fallback relay's playlist (loader.js), so it goes on asking for the next segments, and whatever the store
   * does not have by each one's deadline comes over HTTP. A playlist held back by the store stopped the player:
   * it cannot ask for a segment no playlist lists (a page stuck for good at 8 pages on a saturated machine).
   */
  playlist() {
    if (!this.store) return null;
    const segments = this.store.playableSegments(DEFAULT_PLAYLIST_SEGMENTS);
    if (segments.length === 0) return null;
    const newest = segments[segments.length - 1].sequence;
    const held = this.store.sequences();
    const lags = newest < this.listedUpTo || held[held.length - 1] >= newest + 2
      || parentBehind(this.store, Date.now());
    if (lags) return null;
    this.listedUpTo = newest;
    return renderPlaylist(segments);
  }

  /** A playlist from a fallback relay went to the player: the store's must reach as far before it is used again. */
  noteListed(playlistText) {
    const first = /^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m.exec(playlistText);
    const count = (playlistText.match(/^seg-\d+\.ts$/gm) || []).length;
    if (first && count > 0) this.listedUpTo = Math.max(this.listedUpTo, Number(first[1]) + count - 1);
  }

  /**
   * Segment `sequence` from the store, waiting up to `deadlineMs`; null when it is not coming in time (then the
   * caller fetches it over HTTP) or once `signal` aborts. Gives up at once on a segment older than everything the
   * parent is sending, and while the store holds nothing: no parent has delivered anything yet (the link is still forming, or its
   * backlog not yet in), and waiting on it cost the segment after the start-up ones its deadline, then the
   * fetch, on a page that held one or two segments (a stall at the next boundary in CI on a busy machine).
   */
  async waitForSegment(sequence, deadlineMs, signal = null) {
    if (!this.store || this.store.size === 0) return null;
    const until = Date.now() + deadlineMs;
    for (;;) {
      if (!this.store || (signal && signal.aborted)) return null;
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

  /**
   * LL-HLS part `id` from the part store, waiting up to `deadlineMs` for it to complete; null when it is not coming
   * in time (the loader then fetches it over HTTP). Gives up at once while no parent link is open or the store has
   * no init yet (nothing is on its way), on a part older than every part held, and on one more than
   * PARTS_AHEAD_WAITED past the newest held: the parent is not keeping up (or sends no parts, e.g. a classic page),
   * and hls.js loads parts one after the other, so a wait on each would put it further behind at every part.
   */
  async waitForPart(id, deadlineMs, signal = null) {
    const parts = this.parts;
    if (!parts || !parts.init) return null;
    const held = parts.ids();
    const bytes = parts.partBytes(id);
    if (bytes) return bytes;
    if (!this.upstream.link || held.length === 0 || id < held[0]
        || id > held[held.length - 1] + PARTS_AHEAD_WAITED) {
      return null;
    }
    return parts.waitForPart(id, deadlineMs, signal);
  }

  /** A child plays the classic segments: from now on this LL page takes them from its parent too. */
  needSegments() {
    if (this.segmentsWanted) return;
    this.segmentsWanted = true;
    this.stats.segmentsTurnedOn = (this.stats.segmentsTurnedOn || 0) + 1;
    this.upstream.askForParts();
  }

  /** The init segment from the part store, or null. */
  partInit() {
    return this.parts ? this.parts.initBytes() : null;
  }

  /**
   * Segment `msn` as its parts end to end, when every one of them is held whole (its first part is index 0, its
   * last is followed by the next segment's first); else null.
   */
  segmentFromParts(msn) {
    const parts = this.parts;
    if (!parts) return null;
    const ids = parts.ids();
    const pieces = [];
    let expected = -1;
    for (const id of ids) {
      const h = parts.header(id);
      if (h.msn < msn) continue;
      if (h.msn > msn) {
        if (pieces.length === 0 || id !== expected) return null;
        const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of pieces) { out.set(p, at); at += p.length; }
        return out;
      }
      if ((pieces.length === 0 && h.index !== 0) || (pieces.length > 0 && id !== expected)) return null;
      const bytes = parts.partBytes(id);
      if (!bytes) return null;
      pieces.push(bytes);
      expected = id + 1;
    }
    return null;
  }

  /** Parts (or an init) the player fetched over HTTP because the tree did not bring them in time. */
  countHttpPart(byteLength) {
    this.stats.bytesByFallback += byteLength;
    this.stats.partsByHttp++;
  }

  /** The fallback relays' base URLs. */
  get fallbacks() {
    return this.httpFallback.bases;
  }

  /** Fallback bases known before the welcome (the page asks the coordinator too): used until it lists its own. */
  useFallbacks(bases) {
    if (this.httpFallback.bases.length === 0 && Array.isArray(bases)) this.httpFallback.set(bases);
  }

  /** A fetch from the current fallback relay; a failure moves to the next one for the following fetches. */
  fetchFallback(path, timeoutMs, signal) {
    return this.httpFallback.fetch(path, timeoutMs, signal);
  }

  /**
   * Records that the player asked for LL-HLS resource `name` (a part, init, segment or playlist reload): when, what
   * it held ahead and the newest part in the store; the loader fills in `via`, `ms`, the part's `deadline` and
   * how long it `waited` for the store. Kept in node.partLoads (not the page state, which is sent every 250 ms):
   * what a stalled LL page asked for and how each answer came.
   */
  notePartLoad(name) {
    const ids = this.parts ? this.parts.ids() : [];
    const entry = { t: Math.round(performance.now()), wall: Date.now(), name, newest: ids[ids.length - 1],
      buffer: Math.round(this.bufferSeconds() * 1000), via: null, ms: null };
    this.partLoads.push(entry);
    if (this.partLoads.length > PART_LOADS_KEPT) this.partLoads.shift();
    return entry;
  }

  /**
   * Records that the player asked for segment `sequence`; the loader fills in how it came (`via` store or http),
   * in how many ms, or the error. The last LOADS_KEPT are in the page state (`p2p.loads`): what a stalled page
   * was waiting for, and why it did not come.
   */
  noteLoad(sequence) {
    this.askedSegments.add(sequence);
    const entry = { sn: sequence, at: Math.round(performance.now()), via: null, ms: null, error: null };
    this.stats.loads.push(entry);
    if (this.stats.loads.length > LOADS_KEPT) this.stats.loads.shift();
    return entry;
  }

  /**
   * Where a segment's time went, in ms after the origin produced it (its signed header's producedAt, the origin's
   * clock): when the player asked, when its header and its last chunk reached the store (-1: never), and when
   * the player got it (`done`). A stall then shows whether the segment was late leaving the origin (producedAt
   * itself late: compare consecutive segments' `produced`) or late on its way (store or HTTP).
   */
  noteHops(entry, sequence, askedAtMillis) {
    const s = this.store && this.store.status(sequence);
    if (!s) return;
    const produced = s.producedAtMillis;
    const after = (at) => (at >= 0 ? at - produced : -1);
    entry.produced = produced;
    entry.behind = { asked: askedAtMillis - produced, header: after(s.headerAtMillis),
      complete: after(s.completeAtMillis), done: Date.now() - produced };
  }

  /** Whole segments the player fetched over HTTP (they bypass the store): counted as fallback bytes. */
  countHttpSegment(byteLength) {
    this.stats.bytesByFallback += byteLength;
    this.stats.segmentsByHttp++;
  }

  close() {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.place.close();
    this.upstream.close();
    this.downstream.closeAll('closing');
    if (this.signalling) this.signalling.close();
  }
}

// The link to the parent (relay-node's RelayNode, parent side), make-before-break: `link` is the ParentLink whose
// channel is open, `pending` the one being set up, which replaces it only once its own channel opens, so the
// store keeps filling across a re-parenting. Every frame from either is decoded and verified into the store and,
// once stored, handed to `forward` (the children). A header or chunk that fails verification is reported
// `bad-data` (the chunk is then fetched over HTTP: `refetch`); a dead link to a parent the coordinator still lists,
// or one that has not opened within LINK_OPEN_TIMEOUT_MS (ICE stuck in checking: a symmetric NAT without TURN
// sits there for minutes), is reported `starving`, so that the coordinator moves this page within seconds (or, with
// nowhere else to go, it links to the same parent again, through TURN only if ICE found no path). So is an
// open link whose parent supplied less than half of the stream over the last 10 s, or nothing for 3 s after it had
// been delivering (starvation.js): a parent that withholds data, cannot carry it, or went offline, is left; two
// children's reports demote it to a leaf.

import { decodeFrame } from './frames.js';
import { ChunkResult, HeaderResult } from './store.js';
import { askForParts, decodePartFrame } from './parts.js';
import { PartResult } from './partstore.js';
import { ParentLink } from './peer.js';
import { StarvationWatch } from './starvation.js';
import { ReparentReason, ReportReason } from './vocabulary.js';

const STARVING_REPORT_MS = 5000;
/** A link to the parent whose ICE has not connected this long after it was begun is given up and reported. */
export const LINK_OPEN_TIMEOUT_MS = 4000;
/** One whose ICE did connect but whose channel is still not open (DTLS and SCTP on a starved CPU) gets this long. */
export const LINK_OPEN_HARD_TIMEOUT_MS = 10000;
const BAD_DATA_REPORT_MS = 2000;
/**
 * How long a parent ICE found no path to is reached through TURN only. Not for good: a starved CPU or a lossy
 * minute also leaves ICE checking past the deadline, and TURN costs the operator what a direct path would not
 * (field lab e0: cone-NAT pages stuck on relay-only links carried 70 % of P2P bytes through TURN).
 */
export const NO_PATH_MEMORY_MS = 60000;

export class Upstream {
  /**
   * @param {import('./node.js').BrowserNode} node  its store, signalling, stats and ICE servers
   * @param {(bytes: ArrayBuffer | Uint8Array, frame: Object) => void} forward  an encoded frame the store accepted,
   *        and the frame decoded
   * @param {(sequence: number, indexes: number[]) => void} refetch  chunks to fetch over HTTP
   * @param {(frame: ArrayBuffer | Uint8Array) => void} [forwardPart]  a part frame the part store accepted
   */
  constructor(node, forward, refetch, forwardPart = () => {}) {
    this.node = node;
    this.forward = forward;
    this.forwardPart = forwardPart;
    this.refetch = refetch;
    this.link = null;
    this.pending = null;
    /** The parent the coordinator gave this page last. */
    this.assigned = null;
    /** When a frame last came from the parent (or a new link got its chance): HTTP polling waits on it. */
    this.lastFrameAt = 0;
    this.lostAt = -1;
    this.lastBadDataReport = 0;
    /** When the pending link was begun. */
    this.pendingSince = 0;
    /** Whether the open link's parent starves this page; judged by the bytes the store accepted from it. */
    this.starvation = new StarvationWatch();
    this.acceptedFromParent = 0;
    /** Parents ICE found no path to, and when: a link to one of them within NO_PATH_MEMORY_MS is TURN only. */
    this.noPath = new Map();
    /** Makes the link object (a seam for tests). */
    this.newLink = (parentId, iceServers, events, options) => new ParentLink(parentId, iceServers, events, options);
  }

  /** The id of the parent this page has a working link to, or null. */
  get parentId() {
    return this.link ? this.link.parentId : null;
  }

  /** The first welcome's parent, linked by linkAssigned() later: no HTTP polling while the link waits its turn. */
  assign(parentId) {
    this.assigned = parentId;
    this.lastFrameAt = Date.now();
  }

  /** Links to the assigned parent unless a reparent (or a new welcome) linked meanwhile: `assigned` is the latest word. */
  linkAssigned() {
    if (!this.link && !this.pending && this.assigned) this.connectTo(this.assigned);
  }

  /**
   * Links to `parentId` unless already linked or linking (`fresh`: a new link anyway, as for a new node id;
   * `retry`: the same parent again after a failed link, while HTTP keeps feeding the player).
   */
  connectTo(parentId, fresh = false, retry = false) {
    const node = this.node;
    if (!node.store) return;
    if (!fresh && this.link && this.link.parentId === parentId && !this.link.closed) return;
    if (!fresh && this.pending && this.pending.parentId === parentId && !this.pending.closed) return;
    this.assigned = parentId;
    if (!retry) this.lastFrameAt = Date.now(); // give the new link its chance before HTTP steps in
    if (this.pending) this.pending.close('replaced');
    node.stats.parentChanges++;
    this.pendingSince = Date.now();
    // ICE checks relayed pairs last, after every direct one has timed out: past the link's deadline. Where a
    // direct path failed before (a symmetric NAT on either side), TURN is the only way: take it at once.
    const relayOnly = Date.now() - (this.noPath.get(parentId) ?? -Infinity) < NO_PATH_MEMORY_MS
      && hasTurn(node.iceServers);
    if (relayOnly) node.stats.relayOnlyLinks = (node.stats.relayOnlyLinks || 0) + 1;
    this.pending = this.newLink(parentId, node.iceServers, {
      signal: (to, data) => node.signalling.signal(to, data),
      open: (link) => this.linkOpened(link),
      message: (link, data) => this.frame(link, data),
      closed: (link) => this.linkClosed(link),
    }, { relayOnly, lanes: node.lanes });
  }

  /** The coordinator moved this page. After `origin-reconnected` the same id is a new origin: the old link is dead. */
  reparent(parentId, reason) {
    if (reason === ReparentReason.ORIGIN_RECONNECTED && this.link && this.link.parentId === parentId) {
      const old = this.link;
      this.link = null;
      old.close('origin reconnected');
    }
    this.connectTo(parentId);
  }

  /** Hands a signal to the link to parent `from`; false when `from` is not the parent, nor the one being linked. */
  signal(from, data) {
    const link = this.pending && this.pending.parentId === from ? this.pending
      : this.link && this.link.parentId === from ? this.link : null;
    if (link) link.signal(data);
    return link !== null;
  }

  linkOpened(link) {
    if (link !== this.pending) return;
    const old = this.link;
    this.link = link; // the new link carries data now: only then let the old one go
    this.pending = null;
    this.lostAt = -1;
    this.starvation.linkOpened();
    // An LL page asks for parts (and gets the init and the recent parts at once), and for the classic segments only
    // if a child of its plays them; a parent without parts ignores it.
    if (this.node.parts) this.askForParts(link);
    if (old) old.close('reparented');
  }

  linkClosed(link) {
    if (link === this.link) {
      this.link = null;
      this.lostAt = Date.now();
      this.starvation.linkClosed();
    } else if (link === this.pending) {
      this.pending = null;
      this.lostAt = Date.now();
    }
  }

  /** No parent any more (no place in the tree): links closed, and the fallback polled at once. */
  drop() {
    for (const link of [this.link, this.pending]) if (link) link.close('dropped');
    this.link = null;
    this.pending = null;
    this.assigned = null;
    this.lastFrameAt = 0;
  }

  frame(link, data) {
    if (link !== this.link && link !== this.pending) return;
    const { store, stats } = this.node;
    this.lastFrameAt = Date.now();
    stats.bytesFromParent += data.byteLength;
    let frame;
    try {
      const part = decodePartFrame(data);
      if (part) {
        this.partFrame(link, part, data);
        return;
      }
      frame = decodeFrame(data);
    } catch (e) {
      stats.malformedFrames++;
      return;
    }
    // addHeader registers its verification synchronously, so the chunks after it wait for it: call in order.
    if (frame.type === 'header') {
      store.addHeader(frame).then((r) => {
        if (r === HeaderResult.STORED) this.accepted(data, frame);
        else if (r === HeaderResult.REJECTED) this.badData(link, 'segment header ' + frame.header.sequence + ' failed its signature');
      });
    } else if (frame.type === 'chunk') {
      store.addChunk(frame.sequence, frame.index, frame.payload).then((r) => {
        if (r === ChunkResult.STORED) {
          this.accepted(data, frame);
        } else if (r === ChunkResult.REJECTED) {
          this.badData(link, 'chunk ' + frame.index + ' of segment ' + frame.sequence + ' failed SHA-256');
          this.refetch(frame.sequence, [frame.index]);
        }
      });
    } else if (frame.type === 'window') {
      this.forward(data, frame);
    }
    // control frames: nothing to do.
  }

  /** Asks `link`'s parent for parts, with the classic segments if this page needs them (node.segmentsWanted). */
  askForParts(link = this.link) {
    if (!link || !link.channel || link.channel.readyState !== 'open') return;
    try {
      link.channel.send(askForParts(this.node.segmentsWanted));
    } catch (e) {
      // the link is closing: the next one asks
    }
  }

  /**
   * An LL-HLS part frame (types 5–7): into the part store and, once stored, on to the children that asked. A bad
   * signature or hash reports the parent; the loader fetches what does not complete over HTTP, per part.
   */
  partFrame(link, frame, data) {
    const parts = this.node.parts;
    if (!parts) return; // never asked: a parent sends none
    parts.add(frame).then((r) => {
      if (r === PartResult.STORED) {
        this.acceptedFromParent += data.byteLength;
        this.node.stats.partBytesFromParent += data.byteLength;
        this.forwardPart(data);
      } else if (r === PartResult.REJECTED) {
        this.badData(link, 'an LL-HLS part frame failed verification');
      }
    });
  }

  /** A frame from the parent the store took: it counts towards the parent's share, and goes on to the children. */
  accepted(data, frame) {
    this.acceptedFromParent += data.byteLength;
    this.forward(data, frame);
  }

  badData(link, detail) {
    this.node.stats.verificationFailures++;
    const now = Date.now();
    if (now - this.lastBadDataReport > BAD_DATA_REPORT_MS) {
      this.lastBadDataReport = now;
      this.node.signalling.send({ type: 'report', about: link.parentId, reason: ReportReason.BAD_DATA, detail: detail });
    }
  }

  /** A dead link to a parent the coordinator still lists: ask to be moved rather than wait forever. */
  checkStarving(now) {
    const stuck = this.pending;
    const ice = stuck && stuck.pc ? stuck.pc.iceConnectionState : 'checking';
    const limit = ice === 'connected' || ice === 'completed' ? LINK_OPEN_HARD_TIMEOUT_MS : LINK_OPEN_TIMEOUT_MS;
    if (stuck && !stuck.closed && now - this.pendingSince > limit) {
      // ICE found no path in 4 s (it would sit in checking for minutes), or the channel did not open in 10 s:
      // give up and be moved (the gap filler feeds the player meanwhile).
      this.pending = null;
      this.lostAt = now;
      stuck.close('not open after ' + limit + ' ms (ICE ' + ice + ')');
      this.node.stats.linkTimeouts = (this.node.stats.linkTimeouts || 0) + 1;
      if (ice !== 'connected' && ice !== 'completed') this.noPath.set(stuck.parentId, now);
      this.node.signalling.send({ type: 'report', about: stuck.parentId, reason: ReportReason.STARVING,
        detail: 'the link did not open in ' + limit / 1000 + ' s (ICE ' + ice + ')' });
      return;
    }
    if (!this.link && !this.pending && this.assigned && this.lostAt > 0 && now - this.lostAt > STARVING_REPORT_MS) {
      this.lostAt = now;
      this.node.signalling.send({ type: 'report', about: this.assigned, reason: ReportReason.STARVING, detail: 'no link to the parent for 5 s' });
      // The coordinator moves us if it has another place (a reparent replaces this attempt); if it has none, the
      // assigned parent is still ours, and waiting for a move that cannot come left pages on HTTP for good.
      this.connectTo(this.assigned, false, true);
    }
    // An open link that carries too little of the stream (a withholding parent, or one whose uplink cannot).
    const verdict = this.link ? this.starvation.check(now, this.acceptedFromParent, this.node.stats.bytesByFallback) : null;
    // Under the root (depth 1) there is nowhere else to go: the report would only come back as report-ignored.
    if (verdict && this.node.depth !== 1) {
      this.node.stats.starvingReports = (this.node.stats.starvingReports || 0) + 1;
      // The share itself tells the coordinator a withholder (~0 %) from a weak line (20–50 %).
      this.node.signalling.send({ type: 'report', about: this.link.parentId, reason: ReportReason.STARVING,
        share: Math.round(verdict.share * 1000) / 1000, detail: verdict.detail });
    }
  }

  close() {
    for (const link of [this.link, this.pending]) if (link) link.close('closing');
  }
}

/** Whether `iceServers` (RTCIceServer[]) include a TURN server. */
export function hasTurn(iceServers) {
  return (iceServers || []).some((s) => [].concat(s.urls || []).some((u) => /^turns?:/.test(String(u))));
}


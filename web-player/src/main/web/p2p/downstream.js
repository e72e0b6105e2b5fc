// The children (relay-node's Forwarder). Unless the page joined with `upload: false` (then the coordinator never
// gives it children), it answers each child's offer, sends a new child the last BACKLOG_SEGMENTS segments when its
// channel opens, and then forwards cut-through every frame the store accepted (from the parent, or fetched by the
// gap filler) to every open child, skipping a child whose channel queues more than HIGH_WATER_SECONDS of the
// stream (judged in seconds, not bytes: a frame queued behind 2 s reaches the child after its own gap filler
// fetched it over HTTP, so queueing more only wastes this page's upload) and reporting it `slow-child` once it
// stays slow. An LL page's child that asks for parts ({"type":"parts"}) also gets the part store's backlog and
// then every part frame it accepts, under the same flow control (broadcastPart).

import { decodeFrame, encodeChunkFrame, encodeHeaderFrame } from './frames.js';
import { laneOf } from './lanes.js';
import { asksSegments, isAskForParts } from './parts.js';
import { ChildLink } from './peer.js';
import { UplinkMeter } from './uplink.js';
import { ReportReason } from './vocabulary.js';

/** Above this much stream queued for a child, it is skipped rather than queued further (relay's Forwarder). */
export const HIGH_WATER_SECONDS = 2;
/**
 * The high water never falls below this many bytes (as in relays). Chromium updates bufferedAmount in tasks of
 * its own, which lag on a busy page: in CI a parent page counted a new child's 742 KB backlog as still queued for
 * 8 s while the child had it all, and skipped every live frame meanwhile. 1 MiB rides that out.
 */
export const MIN_HIGH_WATER = 1024 * 1024;

/**
 * Bytes a child may have queued: HIGH_WATER_SECONDS at the newest held segment's rate (plus the parts' rate on an
 * LL page, whose children that asked get both).
 */
export function highWater(store, parts = null) {
  const partRate = parts ? parts.bytesPerSecond() : 0;
  return Math.max(MIN_HIGH_WATER, HIGH_WATER_SECONDS * (streamBytesPerSecond(store) + partRate));
}

/** The stream's rate, from the newest segment held (0 before any). */
export function streamBytesPerSecond(store) {
  const held = store.sequences();
  const h = held.length > 0 ? store.header(held[held.length - 1]) : null;
  return h ? h.header.byteLength * 1000 / h.header.durationMillis : 0;
}

/** A child fed this long without a frame skipped shows the uplink sustains it (see Downstream.uplinkKbps). */
export const PROVEN_MS = 10000;
/** Segments a child that just connected receives from the store, oldest first. */
export const BACKLOG_SEGMENTS = 3;
/** A child skipped this long is reported `slow-child` (relay default). */
export const SLOW_CHILD_REPORT_MS = 3000;
/**
 * An LL page taking parts only waits this long after a child's channel opens for its ask for parts only; a child
 * that has not asked by then plays classic segments, and the page asks its own parent for them again.
 */
export const PARTS_ASK_GRACE_MS = 2000;

export class Downstream {
  /** @param {import('./node.js').BrowserNode} node  its store, signalling, stats, ICE servers and upload setting */
  constructor(node) {
    this.node = node;
    /** @type {Map<string, ChildLink>} */
    this.children = new Map();
    /** What this page's uplink has been seen to carry (sent in heartbeats: the coordinator sizes slots by it). */
    this.uplink = new UplinkMeter();
  }

  /** Bytes queued on every child's channel together. */
  queued() {
    let n = 0;
    for (const child of this.children.values()) n += child.buffered();
    return n;
  }

  /** A signal from a page that is not the parent: a child's. */
  signal(from, data) {
    let child = this.children.get(from);
    // An offer from a child we were not told of yet (notices and signals race across coordinators), or a
    // second lane-0 offer from a known child (it made a new link): a fresh link answers it. An offer for another
    // lane belongs to the child's current link (lanes.js).
    if (this.node.upload && data && data.type === 'offer' && laneOf(data) === 0 && (!child || child.offerSeen)) {
      child = this.add(from, true);
    }
    if (child) child.signal(data);
  }

  /** The coordinator placed `childId` under this page (its offer may have come first). */
  joined(childId) {
    if (this.node.upload) this.add(childId);
  }

  /** The link to `childId`: the current one unless `fresh` (then a new one replaces it). */
  add(childId, fresh = false) {
    const node = this.node;
    if (!node.store) return null;
    const existing = this.children.get(childId);
    if (existing && !existing.closed && !fresh) return existing; // child-joined after its offer: keep the link
    if (existing) existing.close('replaced');
    const child = new ChildLink(childId, node.iceServers, {
      signal: (to, data) => node.signalling.signal(to, data),
      open: (link) => this.opened(link),
      drained: () => this.uplink.check(Date.now(), this.queued()),
      message: (link, data) => this.fromChild(link, data),
      closed: (link) => {
        if (this.children.get(link.childId) === link) this.children.delete(link.childId);
      },
    });
    this.children.set(childId, child);
    return child;
  }

  remove(childId) {
    const child = this.children.get(childId);
    if (child) {
      this.children.delete(childId);
      child.close('child left');
    }
  }

  /**
   * kbit/s to report as this page's uplink: the meter's burst figure (null without one), but never less than the stream rate times
   * the children fed without a skipped frame for PROVEN_MS, with the coordinator's 20 % headroom. On a lossy home
   * link one child's backlog drains at that edge's rate, far below the uplink (field lab: 5 Mbit/s homes measured
   * under one stream and lost the child they were feeding well); sustained delivery is a measurement too.
   */
  uplinkKbps(now) {
    const burst = this.uplink.kbps(now);
    let kept = 0;
    for (const c of this.children.values()) {
      if (c.isOpen() && c.openedAt > 0 && now - c.openedAt >= PROVEN_MS && now - c.lastSkippedAt >= PROVEN_MS) kept++;
    }
    const sustained = Math.ceil(kept * streamBytesPerSecond(this.node.store) * 8 / 1000 / 0.8);
    // Only ever a lift under a burst figure, never sent alone: the stream's rate here is the newest segment's, a
    // hair under the coordinator's bitrate at times, and a lone floor cut a page feeding its one child to 0 slots
    // (FailoverIT in session 9's run G: the child moved). Without a burst, unknown: the coordinator keeps the slots.
    return burst === null ? null : Math.max(burst, sustained);
  }

  /** A child's channel just opened: give it the recent segments so it can start playing and forwarding. */
  opened(child) {
    if (this.children.get(child.childId) !== child) return;
    child.openedAt = Date.now();
    const { store, stats } = this.node;
    stats.childrenServed++;
    if (this.node.parts && !this.node.segmentsWanted) {
      // A classic child never asks for parts only: once it has had time to, fetch the segments for it.
      setTimeout(() => {
        if (this.children.get(child.childId) === child && !child.closed && !child.wantsParts) this.node.needSegments();
      }, PARTS_ASK_GRACE_MS);
    }
    const held = store.sequences();
    for (const sequence of held.slice(Math.max(0, held.length - BACKLOG_SEGMENTS))) {
      const h = store.header(sequence);
      const status = store.status(sequence);
      if (!h || !status) continue;
      this.sendTo(child, encodeHeaderFrame(h.headerBytes, h.signature), Object.assign({ type: 'header' }, h));
      for (let i = 0; i < status.chunkCount; i++) {
        const payload = store.chunk(sequence, i);
        if (payload) {
          this.sendTo(child, encodeChunkFrame(sequence, i, payload), { type: 'chunk', sequence, index: i, payload });
        }
      }
    }
  }

  /** What a child says: only its ask for parts means anything (relay-node's TreeParts.childAsked). */
  fromChild(child, data) {
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (e) {
      return;
    }
    const parts = this.node.parts;
    if (!isAskForParts(frame) || !parts || this.children.get(child.childId) !== child) return;
    child.wantsSegments = asksSegments(frame);
    if (child.wantsSegments) this.node.needSegments();
    if (child.wantsParts) return;
    child.wantsParts = true;
    for (const bytes of parts.backlog()) this.sendTo(child, bytes);
  }

  /** `frame`: what `bytes` encodes, null for a part frame (see lanes.js). */
  sendTo(child, bytes, frame = null) {
    const queued = this.queued();
    if (child.send(bytes, frame)) {
      this.node.stats.bytesSentToChildren += bytes.byteLength;
      this.uplink.sent(Date.now(), bytes.byteLength, queued, child.childId);
      return true;
    }
    return false;
  }

  /** Sends one encoded frame, `frame` decoded, to every open child that keeps up (Forwarder.broadcast). */
  broadcast(bytes, frame) {
    this.send(bytes, false, frame);
  }

  /** Sends one part frame to every open child that asked for parts and keeps up (Forwarder.broadcastPart). */
  broadcastPart(bytes) {
    this.send(bytes, true, null);
  }

  send(bytes, part, frame) {
    if (this.children.size === 0) return;
    const now = Date.now();
    // A child taking parts and segments gets the stream twice: its high water is in seconds of both.
    const limit = highWater(this.node.store, this.node.parts);
    for (const child of this.children.values()) {
      if (!child.isOpen() || (part && !child.wantsParts) || (!part && !child.wantsSegments)) continue;
      if (child.buffered() > limit || !this.sendTo(child, bytes, frame)) {
        this.node.stats.framesSkipped++;
        child.lastSkippedAt = now;
        if (child.slowSince < 0) child.slowSince = now;
      } else if (child.buffered() < limit / 2) {
        child.slowSince = -1;
      }
    }
  }

  /** Reports children skipped for too long, at most once per interval each; samples a long backlog's drain. */
  checkSlow(now) {
    this.uplink.check(now, this.queued());
    const limit = highWater(this.node.store, this.node.parts);
    for (const child of this.children.values()) {
      // Caught up between segments (frames arrive in bursts, so a send may never see the queue low): not slow.
      if (child.slowSince >= 0 && child.buffered() < limit / 2) child.slowSince = -1;
      if (child.slowSince >= 0 && now - child.slowSince > SLOW_CHILD_REPORT_MS
          && now - child.lastSlowReport > SLOW_CHILD_REPORT_MS) {
        child.lastSlowReport = now;
        this.node.stats.slowChildReports++;
        this.node.signalling.send({ type: 'report', about: child.childId, reason: ReportReason.SLOW_CHILD,
          detail: 'send queue above high water' });
      }
    }
  }

  /** Children whose channel is open. */
  get openCount() {
    let n = 0;
    for (const child of this.children.values()) if (child.isOpen()) n++;
    return n;
  }

  closeAll(why) {
    for (const child of [...this.children.values()]) child.close(why);
    this.children.clear();
  }
}

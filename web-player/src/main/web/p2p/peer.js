// One tree edge toward the parent, seen from the child: one or more lanes (lanes.js), each an RTCPeerConnection
// with one ordered, reliable DataChannel labelled "waterfall" that this end creates and offers (the child makes
// the offer; the parent creates nothing). ICE trickles both ways through `signal` messages, in the shapes of
// RTCSessionDescription.toJSON() and RTCIceCandidate.toJSON() (relay-node's Signals.java), with `lane` added for
// lanes other than 0.

import { lanesFor, laneOf, MAX_LANES, withLane } from './lanes.js';

export const LABEL = 'waterfall';

/**
 * What both ends' links share: lanes (lane 0 first; a lane that closes leaves the list, lane 0's closing ends the
 * link), lane 0's connection and channel as the link's, and the link's end, told once to `events.closed`.
 */
class Link {
  constructor(events, iceServers) {
    this.events = events;
    this.iceServers = iceServers || [];
    this.closed = false;
    this.opened = false;
    this.lanes = [];
  }

  /** Lane 0's connection: its ICE state is the link's. */
  get pc() {
    return this.lanes[0].pc;
  }

  get channel() {
    return this.lanes[0].channel;
  }

  isOpen() {
    return !this.closed && this.lanes[0].isOpen();
  }

  /** Lanes whose channel is open. */
  get openLanes() {
    return this.lanes.filter((l) => l.isOpen()).length;
  }

  laneClosed(lane, why) {
    if (lane.index === 0) this.close(why);
    else this.lanes = this.lanes.filter((l) => l !== lane);
  }

  close(why) {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = why;
    for (const lane of this.lanes) lane.close();
    this.events.closed(this, why || 'closed');
  }
}

export class ParentLink extends Link {
  /**
   * @param {string} parentId
   * @param {Array} iceServers  welcome.iceServers
   * @param {{signal: (to: string, data: Object) => void, open: (link: ParentLink) => void,
   *          message: (link: ParentLink, data: ArrayBuffer) => void, closed: (link: ParentLink, why: string) => void}} events
   * @param {{relayOnly?: boolean, lanes?: number}} [options]  relayOnly: TURN candidates only (ICE found no direct
   *        path before); lanes: peer connections to carry the edge (lanes.js), the extra ones begun once lane 0 opens
   */
  constructor(parentId, iceServers, events, options = {}) {
    super(events, iceServers);
    this.parentId = parentId;
    this.relayOnly = !!options.relayOnly;
    this.laneCount = Math.max(1, Math.min(MAX_LANES, options.lanes || 1));
    /** @type {ParentLane[]} lane 0 first; a lane that closes leaves the list (lane 0's closing ends the edge). */
    this.lanes = [new ParentLane(this, 0)];
  }

  /** Local candidates gathered by lane 0, by type (host, srflx, relay): a link stuck in checking shows what it had. */
  get gathered() {
    return this.lanes[0].gathered;
  }

  get candidateError() {
    return this.lanes[0].candidateError;
  }

  laneOpened(lane) {
    if (this.closed) return;
    if (lane.index !== 0) return;
    this.opened = true;
    this.events.open(this);
    // The extra lanes only once lane 0 proved a path: a parent ICE cannot reach costs one attempt, not k.
    for (let i = 1; i < this.laneCount && !this.closed; i++) this.lanes.push(new ParentLane(this, i));
  }

  laneMessage(lane, data) {
    if (this.closed) return;
    lane.bytesIn += data.byteLength;
    this.events.message(this, data);
  }

  /** Bytes each lane carried, by lane index (what the ITs and the field lab read). */
  get laneBytes() {
    const bytes = [];
    for (const lane of this.lanes) bytes[lane.index] = lane.bytesIn;
    return bytes;
  }

  /** A signal from the parent for one of the lanes: its answer, or one of its candidates. */
  signal(data) {
    if (this.closed || !data || typeof data !== 'object') return;
    const lane = this.lanes.find((l) => l.index === laneOf(data));
    if (lane) lane.signal(data);
  }

}

/**
 * What both ends' lanes share: one RTCPeerConnection toward `peerId`, its local candidates trickled out with the
 * lane's index, the far end's description (`remoteType`) and the candidates that came before it (held until it is
 * set), and the end of the lane (`lost`: told to the link; `close`: quietly).
 */
class Lane {
  constructor(link, index, peerId, remoteType, pc) {
    this.link = link;
    this.index = index;
    this.peerId = peerId;
    this.remoteType = remoteType;
    this.closed = false;
    this.remoteSet = false;
    this.pendingCandidates = [];
    this.gathered = {};
    this.channel = null;
    this.pc = pc;
    this.pc.onicecandidate = (e) => {
      // null marks the end of gathering: libwebrtc needs no end-of-candidates marker for a data-only link.
      if (e.candidate && e.candidate.candidate && !this.closed) {
        const type = e.candidate.type || 'unknown';
        this.gathered[type] = (this.gathered[type] || 0) + 1;
        link.events.signal(peerId, withLane(e.candidate.toJSON(), index));
      }
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === 'failed' || this.pc.connectionState === 'closed') {
        this.lost('connection ' + this.pc.connectionState);
      }
    };
  }

  /** Sends this end's description (an offer or an answer) to the far end. */
  sendDescription() {
    const d = this.pc.localDescription;
    if (!this.closed) this.link.events.signal(this.peerId, withLane({ type: d.type, sdp: d.sdp }, this.index));
  }

  /** A signal from the far end for this lane: its description, or one of its candidates. */
  async signal(data) {
    if (this.closed) return;
    try {
      if (data.type === this.remoteType && typeof data.sdp === 'string') {
        if (!this.takesDescription()) return;
        await this.pc.setRemoteDescription({ type: this.remoteType, sdp: data.sdp });
        this.remoteSet = true;
        await this.described();
        const queued = this.pendingCandidates;
        this.pendingCandidates = [];
        for (const c of queued) await addCandidate(this.pc, c);
      } else if (typeof data.candidate === 'string' && data.candidate !== '') {
        if (this.remoteSet) await addCandidate(this.pc, data);
        else if (this.pendingCandidates.length < 100) this.pendingCandidates.push(data);
      }
    } catch (e) {
      this.signalFailed(e);
    }
  }

  /** Whether a description from the far end is taken now. */
  takesDescription() {
    return true;
  }

  /** The far end's description is set: what this end does next. */
  async described() {}

  /** A signal that could not be applied. */
  signalFailed(e) {}

  isOpen() {
    return !this.closed && this.channel !== null && this.channel.readyState === 'open';
  }

  lost(why) {
    if (this.closed) return;
    this.close();
    this.link.laneClosed(this, why);
  }

  close() {
    this.closed = true;
    try {
      if (this.channel) this.channel.close();
      this.pc.close();
    } catch (e) {
      // already gone
    }
  }
}

/** One lane of a ParentLink: the connection and channel this end creates and offers. */
class ParentLane extends Lane {
  constructor(link, index) {
    super(link, index, link.parentId, 'answer',
      new RTCPeerConnection({ iceServers: link.iceServers, iceTransportPolicy: link.relayOnly ? 'relay' : 'all' }));
    this.bytesIn = 0;
    this.channel = this.pc.createDataChannel(LABEL, { ordered: true });
    this.channel.binaryType = 'arraybuffer';
    this.channel.onopen = () => {
      if (!this.closed) link.laneOpened(this);
    };
    this.channel.onmessage = (e) => {
      if (!this.closed && e.data instanceof ArrayBuffer) link.laneMessage(this, e.data);
    };
    this.channel.onclose = () => this.lost('channel closed');
    this.pc.onicecandidateerror = (e) => {
      // A TURN or STUN server that refused or did not answer (e.g. 401: credentials): say which, for the state.
      this.candidateError = e.errorCode + ' ' + (e.errorText || '') + ' from ' + (e.url || '?');
    };
    this.offer().catch((e) => this.lost('offer failed: ' + e.message));
  }

  async offer() {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.sendDescription();
  }

  signalFailed() {
    // A malformed signal cannot hurt the link; if the parent lies, ICE times out and the fallback covers.
  }
}

async function addCandidate(pc, c) {
  try {
    await pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null });
  } catch (e) {
    // one bad candidate: the others may still connect
  }
}

/**
 * One tree edge toward a child, seen from the parent: the child offers and creates the DataChannel of each lane,
 * so this end answers and takes the channels from `ondatachannel` (relay-node's PeerEdge.toChild). Lane 0 exists
 * from the start; a child's offer naming another lane (lanes.js) makes that lane. Children send no media
 * (only CONTROL frames, on lane 0: an LL page's ask for parts); `send`
 * is how the node forwards frames (each frame on the lanes lanes.js picks), `buffered()` what its flow control
 * reads: every lane's queue together.
 */
export class ChildLink extends Link {
  /**
   * @param {string} childId
   * @param {Array} iceServers  welcome.iceServers
   * @param {{signal: (to: string, data: Object) => void, open: (link: ChildLink) => void,
   *          closed: (link: ChildLink, why: string) => void, drained?: (link: ChildLink) => void}} events
   */
  constructor(childId, iceServers, events) {
    super(events, iceServers);
    this.childId = childId;
    this.slowSince = -1;
    /** When its channel opened, and when a frame for it was last skipped (its queue full): what it proves. */
    this.openedAt = -1;
    this.lastSkippedAt = -Infinity;
    this.lastSlowReport = 0;
    this.bytesSent = 0;
    /** Whether it asked for LL-HLS parts ({"type":"parts"}): only then is it sent part frames. */
    this.wantsParts = false;
    /** False once it asked for parts only ("segments": false): then it is sent no classic segments. */
    this.wantsSegments = true;
    /** @type {ChildLane[]} lane 0 first */
    this.lanes = [new ChildLane(this, 0)];
  }

  /** Whether lane 0's offer came: a second lane-0 offer is a new link from the child (Downstream). */
  get offerSeen() {
    return this.lanes[0].offerSeen;
  }

  laneOpened(lane) {
    if (this.closed || lane.index !== 0 || this.opened) return;
    this.opened = true; // Chromium may hand over an already open channel and then fire 'open' too
    this.events.open(this);
  }

  /** A signal from the child for one of its lanes: an offer (answered here) or a candidate. */
  async signal(data) {
    if (this.closed || !data || typeof data !== 'object') return;
    const index = laneOf(data);
    if (index < 0) return; // a lane out of range: refused, the edge's other lanes carry on
    let lane = this.lanes.find((l) => l.index === index);
    if (!lane && data.type === 'offer') {
      lane = new ChildLane(this, index);
      this.lanes.push(lane);
    }
    if (lane) await lane.signal(data);
  }

  /** Bytes queued on every lane's channel, not yet handed to the network. */
  buffered() {
    let n = 0;
    for (const lane of this.lanes) n += lane.buffered();
    return n;
  }

  /**
   * Queues one frame on the lanes it belongs on; false if lane 0 is not open or a lane refused it. `frame` is what
   * `bytes` encodes (lanes.js chooses by it), null for a frame that is not a segment's (a part: lane 0).
   */
  send(bytes, frame = null) {
    if (!this.isOpen()) return false;
    const chosen = lanesFor(this.lanes, frame);
    if (chosen.length === 0) return false;
    let ok = true;
    for (const lane of chosen) {
      if (lane.send(bytes)) {
        this.bytesSent += bytes.byteLength;
      } else if (lane.index === 0) {
        ok = false;
      } else {
        // An extra lane that refused a header would later be handed that segment's chunks: drop the lane.
        lane.lost('refused a frame');
      }
    }
    return ok;
  }
}

/** One lane of a ChildLink: the connection that answers the child's offer for that lane, and its channel. */
class ChildLane extends Lane {
  constructor(link, index) {
    super(link, index, link.childId, 'offer', new RTCPeerConnection({ iceServers: link.iceServers }));
    this.offerSeen = false;
    /** The first segment whose header this lane carried (lanes.js); lane 0 carries them all. */
    this.firstSequence = index === 0 ? -Infinity : null;
    this.pc.ondatachannel = (e) => {
      if (this.closed || this.channel) return;
      const channel = e.channel;
      this.channel = channel;
      channel.binaryType = 'arraybuffer';
      const opened = () => {
        if (!this.closed) link.laneOpened(this);
      };
      channel.onopen = opened;
      channel.onclose = () => this.lost('channel closed');
      // A child sends no media, only CONTROL frames (an LL page's ask for parts).
      channel.onmessage = (m) => {
        if (!this.closed && m.data instanceof ArrayBuffer && link.events.message) link.events.message(link, m.data);
      };
      // Fires when the queue empties: the end of a busy period, which measures the uplink (uplink.js).
      channel.bufferedAmountLowThreshold = 0;
      channel.onbufferedamountlow = () => {
        if (link.events.drained) link.events.drained(link);
      };
      if (channel.readyState === 'open') queueMicrotask(opened);
    };
  }

  /** One offer per lane; a new offer comes with a new link. */
  takesDescription() {
    if (this.offerSeen) return false;
    this.offerSeen = true;
    return true;
  }

  async described() {
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.sendDescription();
  }

  signalFailed(e) {
    this.link.error = e.message;
    this.lost('bad offer: ' + e.message);
  }

  buffered() {
    return this.channel && !this.closed ? this.channel.bufferedAmount : 0;
  }

  send(bytes) {
    if (!this.isOpen()) return false;
    try {
      this.channel.send(bytes);
      return true;
    } catch (e) {
      return false;
    }
  }
}

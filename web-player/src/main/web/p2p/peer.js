// One tree edge toward the parent, seen from the child: an RTCPeerConnection with one ordered, reliable
// DataChannel labelled "waterfall" that this end creates and offers (the child makes the offer; the parent
// creates nothing). ICE trickles both ways through `signal` messages, in the shapes of
// RTCSessionDescription.toJSON() and RTCIceCandidate.toJSON() (relay-node's Signals.java).

export const LABEL = 'waterfall';

export class ParentLink {
  /**
   * @param {string} parentId
   * @param {Array} iceServers  welcome.iceServers
   * @param {{signal: (to: string, data: Object) => void, open: (link: ParentLink) => void,
   *          message: (link: ParentLink, data: ArrayBuffer) => void, closed: (link: ParentLink, why: string) => void}} events
   * @param {{relayOnly?: boolean}} [options]  relayOnly: TURN candidates only (ICE found no direct path before)
   */
  constructor(parentId, iceServers, events, options = {}) {
    this.parentId = parentId;
    this.events = events;
    this.closed = false;
    this.opened = false;
    this.remoteSet = false;
    this.pendingCandidates = [];
    this.relayOnly = !!options.relayOnly;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [], iceTransportPolicy: this.relayOnly ? 'relay' : 'all' });
    this.channel = this.pc.createDataChannel(LABEL, { ordered: true });
    this.channel.binaryType = 'arraybuffer';
    this.channel.onopen = () => {
      this.opened = true;
      if (!this.closed) events.open(this);
    };
    this.channel.onmessage = (e) => {
      if (!this.closed && e.data instanceof ArrayBuffer) events.message(this, e.data);
    };
    this.channel.onclose = () => this.close('channel closed');
    /** Local candidates gathered, by type (host, srflx, relay): a link stuck in checking shows what it had. */
    this.gathered = {};
    this.pc.onicecandidate = (e) => {
      // null marks the end of gathering: libwebrtc needs no end-of-candidates marker for a data-only link.
      if (e.candidate && e.candidate.candidate && !this.closed) {
        const type = e.candidate.type || 'unknown';
        this.gathered[type] = (this.gathered[type] || 0) + 1;
        events.signal(parentId, e.candidate.toJSON());
      }
    };
    this.pc.onicecandidateerror = (e) => {
      // A TURN or STUN server that refused or did not answer (e.g. 401: credentials): say which, for the state.
      this.candidateError = e.errorCode + ' ' + (e.errorText || '') + ' from ' + (e.url || '?');
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === 'failed' || this.pc.connectionState === 'closed') {
        this.close('connection ' + this.pc.connectionState);
      }
    };
    this.offer().catch((e) => this.close('offer failed: ' + e.message));
  }

  async offer() {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const d = this.pc.localDescription;
    if (!this.closed) this.events.signal(this.parentId, { type: d.type, sdp: d.sdp });
  }

  /** A signal from the parent: its answer, or one of its candidates (held until the answer is applied). */
  async signal(data) {
    if (this.closed || !data || typeof data !== 'object') return;
    try {
      if (data.type === 'answer' && typeof data.sdp === 'string') {
        await this.pc.setRemoteDescription({ type: 'answer', sdp: data.sdp });
        this.remoteSet = true;
        const queued = this.pendingCandidates;
        this.pendingCandidates = [];
        for (const c of queued) await this.addCandidate(c);
      } else if (typeof data.candidate === 'string' && data.candidate !== '') {
        if (this.remoteSet) await this.addCandidate(data);
        else if (this.pendingCandidates.length < 100) this.pendingCandidates.push(data);
      }
    } catch (e) {
      // A malformed signal cannot hurt the link; if the parent lies, ICE times out and the fallback covers.
    }
  }

  async addCandidate(c) {
    try {
      await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? null,
        sdpMLineIndex: c.sdpMLineIndex ?? null });
    } catch (e) {
      // one bad candidate: the others may still connect
    }
  }

  isOpen() {
    return !this.closed && this.channel.readyState === 'open';
  }

  close(why) {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = why;
    try {
      this.channel.close();
      this.pc.close();
    } catch (e) {
      // already gone
    }
    this.events.closed(this, why || 'closed');
  }
}

/**
 * One tree edge toward a child, seen from the parent: the child offers and creates the DataChannel, so this end
 * answers and takes the channel from `ondatachannel` (relay-node's PeerEdge.toChild). Children send no data;
 * `send` is how the node forwards frames, `buffered()` what its flow control reads.
 */
export class ChildLink {
  /**
   * @param {string} childId
   * @param {Array} iceServers  welcome.iceServers
   * @param {{signal: (to: string, data: Object) => void, open: (link: ChildLink) => void,
   *          closed: (link: ChildLink, why: string) => void, drained?: (link: ChildLink) => void}} events
   */
  constructor(childId, iceServers, events) {
    this.childId = childId;
    this.events = events;
    this.closed = false;
    this.remoteSet = false;
    this.offerSeen = false;
    this.pendingCandidates = [];
    this.channel = null;
    this.opened = false;
    this.slowSince = -1;
    /** When its channel opened, and when a frame for it was last skipped (its queue full): what it proves. */
    this.openedAt = -1;
    this.lastSkippedAt = -Infinity;
    this.lastSlowReport = 0;
    this.bytesSent = 0;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    this.pc.ondatachannel = (e) => {
      if (this.closed || this.channel) return;
      const channel = e.channel;
      this.channel = channel;
      channel.binaryType = 'arraybuffer';
      const opened = () => {
        if (this.closed || this.opened) return;
        this.opened = true; // Chromium may hand over an already open channel and then fire 'open' too
        events.open(this);
      };
      channel.onopen = opened;
      channel.onclose = () => this.close('channel closed');
      // Fires when the queue empties: the end of a busy period, which measures the uplink (uplink.js).
      channel.bufferedAmountLowThreshold = 0;
      channel.onbufferedamountlow = () => {
        if (events.drained) events.drained(this);
      };
      if (channel.readyState === 'open') queueMicrotask(opened);
    };
    this.pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate && !this.closed) events.signal(childId, e.candidate.toJSON());
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === 'failed' || this.pc.connectionState === 'closed') {
        this.close('connection ' + this.pc.connectionState);
      }
    };
  }

  /** A signal from the child: its offer (answered here), or one of its candidates (held until the offer is applied). */
  async signal(data) {
    if (this.closed || !data || typeof data !== 'object') return;
    try {
      if (data.type === 'offer' && typeof data.sdp === 'string') {
        if (this.offerSeen) return; // one offer per link; a new offer comes with a new link
        this.offerSeen = true;
        await this.pc.setRemoteDescription({ type: 'offer', sdp: data.sdp });
        this.remoteSet = true;
        await this.pc.setLocalDescription(await this.pc.createAnswer());
        const d = this.pc.localDescription;
        if (!this.closed) this.events.signal(this.childId, { type: d.type, sdp: d.sdp });
        const queued = this.pendingCandidates;
        this.pendingCandidates = [];
        for (const c of queued) await this.addCandidate(c);
      } else if (typeof data.candidate === 'string' && data.candidate !== '') {
        if (this.remoteSet) await this.addCandidate(data);
        else if (this.pendingCandidates.length < 100) this.pendingCandidates.push(data);
      }
    } catch (e) {
      this.error = e.message;
      this.close('bad offer: ' + e.message);
    }
  }

  async addCandidate(c) {
    try {
      await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? null,
        sdpMLineIndex: c.sdpMLineIndex ?? null });
    } catch (e) {
      // one bad candidate: the others may still connect
    }
  }

  isOpen() {
    return !this.closed && this.channel !== null && this.channel.readyState === 'open';
  }

  /** Bytes queued on the channel, not yet handed to the network. */
  buffered() {
    return this.channel ? this.channel.bufferedAmount : 0;
  }

  /** Queues one frame; false if the channel refused it (closed, or its buffer is full). */
  send(bytes) {
    if (!this.isOpen()) return false;
    try {
      this.channel.send(bytes);
      this.bytesSent += bytes.byteLength;
      return true;
    } catch (e) {
      return false;
    }
  }

  close(why) {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = why;
    try {
      if (this.channel) this.channel.close();
      this.pc.close();
    } catch (e) {
      // already gone
    }
    this.events.closed(this, why || 'closed');
  }
}

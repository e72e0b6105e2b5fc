// The two ends of one realtime tree edge: media tracks instead of the HLS mode's DataChannel (p2p/peer.js).
// As there, the child offers and the parent answers, and ICE trickles both ways through `signal` messages in
// the shapes of RTCSessionDescription.toJSON() and RTCIceCandidate.toJSON().
//
// The child offers one recvonly video and one recvonly audio transceiver; the parent answers sendonly and puts
// whatever tracks it has on the senders with replaceTrack, so tracks can come, go or change (a new parent, the
// publisher switching camera to screen) without renegotiating any edge below.
//
// Every child's offer also opens an "rt-audio" DataChannel. Where a Java booster is at either end (it says
// "role":"booster" in its offer or answer; pages say nothing), audio travels there as Opus chunks instead of as a
// track (rt/audio.js; events.boosterParent and events.audioChannel hand it to the node).

const KINDS = ['video', 'audio'];
/** Audio as chunks when a booster is at either end (rt/audio.js); the child's offer always carries it. */
const AUDIO_LABEL = 'rt-audio';

/** Holds ICE candidates until the remote description is set, then adds them. */
class Candidates {
  constructor(pc) {
    this.pc = pc;
    this.ready = false;
    this.queued = [];
  }

  async add(c) {
    if (!this.ready) {
      if (this.queued.length < 100) this.queued.push(c);
      return;
    }
    try {
      await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? null,
        sdpMLineIndex: c.sdpMLineIndex ?? null });
    } catch (e) {
      // one bad candidate: the others may still connect
    }
  }

  async flush() {
    this.ready = true;
    const queued = this.queued;
    this.queued = [];
    for (const c of queued) await this.add(c);
  }
}

function isCandidate(data) {
  return typeof data.candidate === 'string' && data.candidate !== '';
}

/** Closes an edge whose connection failed or closed, and sends its trickled candidates to the other end. */
function watch(edge, peerId) {
  edge.pc.onicecandidate = (e) => {
    if (e.candidate && e.candidate.candidate && !edge.closed) edge.events.signal(peerId, e.candidate.toJSON());
  };
  edge.pc.onconnectionstatechange = () => {
    const s = edge.pc.connectionState;
    if (s === 'connected' && edge.times) edge.mark('connected');
    if (s === 'failed' || s === 'closed') edge.close('connection ' + s);
  };
}

/**
 * The edge toward the parent, seen from the child. `tracks` are the receivers' tracks, there from the start and
 * muted until media arrives; events.flowing fires once, when the video first arrives.
 */
export class ParentEdge {
  /**
   * @param {string} parentId
   * @param {Array} iceServers  welcome.iceServers
   * @param {{signal: (to: string, data: Object) => void, flowing: (e: ParentEdge) => void,
   *          closed: (e: ParentEdge, why: string) => void}} events
   */
  constructor(parentId, iceServers, events) {
    this.parentId = parentId;
    this.events = events;
    this.closed = false;
    this.flowing = false;
    this.framesDecoded = 0;
    this.bytesReceived = 0;
    // When each step of the edge's setup happened (epoch ms): where a slow switch spent its time.
    this.times = { asked: Date.now() };
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    this.tracks = {};
    for (const kind of KINDS) {
      this.tracks[kind] = this.pc.addTransceiver(kind, { direction: 'recvonly' }).receiver.track;
    }
    this.stream = new MediaStream(KINDS.map((k) => this.tracks[k]));
    // A booster parent sends its audio on this channel (it has no audio track); a page parent never uses it.
    this.audioChannel = this.pc.createDataChannel(AUDIO_LABEL, { ordered: true, maxRetransmits: 0 });
    this.audioChannel.binaryType = 'arraybuffer';
    this.parentRole = null; // 'booster' or 'page', from the answer
    this.candidates = new Candidates(this.pc);
    watch(this, parentId);
    this.tracks.video.onunmute = () => this.arrived();
    this.offer().catch((e) => this.close('offer failed: ' + e.message));
  }

  async offer() {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const d = this.pc.localDescription;
    if (!this.closed) this.events.signal(this.parentId, { type: d.type, sdp: d.sdp });
    this.mark('offered');
  }

  /** Notes when a setup step first happened. */
  mark(step) {
    if (!(step in this.times)) this.times[step] = Date.now();
  }

  arrived() {
    if (this.flowing || this.closed) return;
    this.flowing = true;
    this.mark('flowing');
    this.events.flowing(this);
  }

  /** The parent's answer, or one of its candidates. */
  async signal(data) {
    if (this.closed || !data || typeof data !== 'object') return;
    try {
      if (data.type === 'answer' && typeof data.sdp === 'string' && this.pc.signalingState === 'have-local-offer') {
        this.mark('answered');
        this.parentRole = data.role === 'booster' ? 'booster' : 'page';
        if (this.parentRole === 'booster' && this.events.boosterParent) this.events.boosterParent(this);
        await this.pc.setRemoteDescription({ type: 'answer', sdp: data.sdp });
        await this.candidates.flush();
      } else if (isCandidate(data)) {
        await this.candidates.add(data);
      }
    } catch (e) {
      this.close('bad answer: ' + e.message);
    }
  }

  /** Reads the video's decoded frames and the bytes received; also notices media the unmute event missed. */
  async poll() {
    if (this.closed) return;
    let frames = 0;
    let bytes = 0;
    (await this.pc.getStats()).forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      bytes += r.bytesReceived || 0;
      if (r.kind === 'video') frames += r.framesDecoded || 0;
    });
    this.framesDecoded = Math.max(this.framesDecoded, frames);
    this.bytesReceived = Math.max(this.bytesReceived, bytes);
    if (frames > 0) this.arrived();
  }

  close(why) {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = why;
    try {
      this.pc.close();
    } catch (e) {
      // already gone
    }
    this.events.closed(this, why || 'closed');
  }
}

/** The edge toward a child, seen from the parent: answers the child's offer and sends it `tracks`. */
export class ChildEdge {
  /**
   * @param {string} childId
   * @param {Array} iceServers  welcome.iceServers
   * @param {{video?: MediaStreamTrack, audio?: MediaStreamTrack}} tracks  what to send (either may be missing)
   * @param {number|null} maxVideoKbps  the stream's bitrate: the cap placement counted slots with
   * @param {{signal: (to: string, data: Object) => void, closed: (e: ChildEdge, why: string) => void}} events
   */
  constructor(childId, iceServers, tracks, maxVideoKbps, events) {
    this.childId = childId;
    this.maxVideoKbps = maxVideoKbps;
    this.events = events;
    this.tracks = tracks || {};
    this.closed = false;
    this.offerSeen = false;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    this.childRole = null; // 'booster' or 'page', from the offer
    // A booster child takes its audio as chunks on the channel its offer opened (it cannot receive a track).
    this.pc.ondatachannel = (e) => {
      if (e.channel.label === AUDIO_LABEL && this.childRole === 'booster' && this.events.audioChannel) {
        this.events.audioChannel(this, e.channel);
      }
    };
    this.candidates = new Candidates(this.pc);
    watch(this, childId);
  }

  /** The child's offer (answered here), or one of its candidates. */
  async signal(data) {
    if (this.closed || !data || typeof data !== 'object') return;
    try {
      if (data.type === 'offer' && typeof data.sdp === 'string') {
        if (this.offerSeen) return; // one offer per edge; a new offer comes with a new edge
        this.offerSeen = true;
        this.childRole = data.role === 'booster' ? 'booster' : 'page';
        await this.pc.setRemoteDescription({ type: 'offer', sdp: data.sdp });
        for (const t of this.pc.getTransceivers()) t.direction = 'sendonly';
        await this.send(this.tracks);
        await this.pc.setLocalDescription(await this.pc.createAnswer());
        const d = this.pc.localDescription;
        if (!this.closed) this.events.signal(this.childId, { type: d.type, sdp: d.sdp });
        await this.capBitrate();
        await this.candidates.flush();
      } else if (isCandidate(data)) {
        await this.candidates.add(data);
      }
    } catch (e) {
      this.close('bad offer: ' + e.message);
    }
  }

  /** Caps the video each child costs this node's uplink at the stream's bitrate (sender parameters). */
  async capBitrate() {
    if (!this.maxVideoKbps) return;
    for (const t of this.pc.getTransceivers()) {
      if (t.receiver.track.kind !== 'video') continue;
      try {
        const p = t.sender.getParameters();
        if (!p.encodings || p.encodings.length === 0) p.encodings = [{}];
        p.encodings[0].maxBitrate = this.maxVideoKbps * 1000;
        await t.sender.setParameters(p);
      } catch (e) {
        // not negotiated yet or closed: the browser's own rate control still applies
      }
    }
  }

  /** Sends these tracks from now on (replaceTrack: no renegotiation, the child's receivers stay the same). */
  async send(tracks) {
    this.tracks = tracks || {};
    if (this.closed) return;
    for (const t of this.pc.getTransceivers()) {
      const kind = t.receiver.track.kind;
      const track = this.tracks[kind] || null;
      if (t.sender.track !== track) {
        try {
          await t.sender.replaceTrack(track);
        } catch (e) {
          // a closed connection; the edge closes itself
        }
      }
    }
  }

  /** Whether media flows to the child: ICE and DTLS are up. */
  isConnected() {
    return !this.closed && this.pc.connectionState === 'connected';
  }

  close(why) {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = why;
    try {
      this.pc.close();
    } catch (e) {
      // already gone
    }
    this.events.closed(this, why || 'closed');
  }
}

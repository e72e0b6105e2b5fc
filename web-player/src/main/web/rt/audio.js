// Audio as encoded chunks, for the realtime edges with a Java booster at either end (docs/architecture.md
// "Realtime mode"). A booster cannot forward an audio track (webrtc-java aborts), so on such an edge audio travels
// as WebCodecs Opus chunks on the edge's "rt-audio" DataChannel, one chunk per message
// (docs/protocol.md "Realtime audio chunks"):
//
//   0 u8 version 1 · 1 u8 type (1 key, 2 delta) · 2 u64 timestamp µs · 10 u32 duration µs (0: unknown)
//   · 14 u64 encodedAt (Unix ms, where it was encoded) · 22 payload (1..4000 bytes)
//
// - AudioOut: what a node sends its booster children: the chunks its own booster parent sent (passed on verbatim,
//   never re-encoded), or else its audio track encoded once (MediaStreamTrackProcessor → AudioEncoder) for all.
// - ChunkPlayer: what a page under a booster plays: chunks → AudioDecoder → MediaStreamTrackGenerator, a track
//   that plays with the video and is forwarded to page children like any track.
// Chrome has all four APIs; elsewhere `support` says what is missing and the audio of those edges is silent.

export const LABEL = 'rt-audio';
export const HEADER_BYTES = 22;
export const MAX_PAYLOAD = 4000;
const MAX_U53 = Number.MAX_SAFE_INTEGER;
const MAX_DURATION = 1_000_000;
/** Unsent bytes on a child's channel above which chunks for it are dropped (~0.3 s at 48 kbps is far less). */
const MAX_BUFFERED = 16 * 1024;
const BITRATE = 48_000;
const LATENCY_SAMPLES = 200;
const LEVEL_FRAMES = 100;

export const support = {
  encode: typeof AudioEncoder === 'function' && typeof MediaStreamTrackProcessor === 'function',
  decode: typeof AudioDecoder === 'function' && typeof MediaStreamTrackGenerator === 'function',
};

/** One message from a chunk's fields (`data`: Uint8Array). */
export function encodeChunk({ key, timestamp, duration, encodedAt, data }) {
  if (!(data.length >= 1 && data.length <= MAX_PAYLOAD)) throw new Error('payload of ' + data.length + ' bytes');
  const buf = new ArrayBuffer(HEADER_BYTES + data.length);
  const v = new DataView(buf);
  v.setUint8(0, 1);
  v.setUint8(1, key ? 1 : 2);
  v.setBigUint64(2, BigInt(timestamp));
  v.setUint32(10, duration);
  v.setBigUint64(14, BigInt(encodedAt));
  new Uint8Array(buf, HEADER_BYTES).set(data);
  return buf;
}

/** A message's fields; throws an Error whose `code` names what is wrong (as the Java AudioChunk does). */
export function decodeChunk(buf) {
  const fail = (code) => Object.assign(new Error('bad audio chunk: ' + code), { code });
  if (!(buf instanceof ArrayBuffer) || buf.byteLength === 0) throw fail('empty');
  if (buf.byteLength > HEADER_BYTES + MAX_PAYLOAD) throw fail('oversized');
  const v = new DataView(buf);
  if (v.getUint8(0) !== 1) throw fail('unknown-version');
  if (buf.byteLength < 2) throw fail('truncated');
  const type = v.getUint8(1);
  if (type !== 1 && type !== 2) throw fail('unknown-type');
  if (buf.byteLength <= HEADER_BYTES) throw fail('truncated');
  const timestamp = v.getBigUint64(2);
  const duration = v.getUint32(10);
  const encodedAt = v.getBigUint64(14);
  if (timestamp > MAX_U53 || encodedAt > MAX_U53 || duration > MAX_DURATION) throw fail('bad-value');
  return { key: type === 1, timestamp: Number(timestamp), duration: duration, encodedAt: Number(encodedAt),
    data: new Uint8Array(buf, HEADER_BYTES) };
}

/** Opus chunk messages from one audio track, until closed. */
class TrackEncoder {
  constructor(track, onMessage, stats) {
    this.closed = false;
    this.stats = stats;
    this.reader = new MediaStreamTrackProcessor({ track: track }).readable.getReader();
    this.encoder = null;
    this.onMessage = onMessage;
    this.pump().catch((e) => { stats.error = 'encoding: ' + e.message; });
  }

  async pump() {
    for (;;) {
      const { value: data, done } = await this.reader.read();
      if (done || this.closed) {
        if (data) data.close();
        return;
      }
      if (!this.encoder) await this.configure(data);
      if (this.encoder.encodeQueueSize > 10) {
        this.stats.dropped++; // the encoder falls behind: late audio is worth nothing
        data.close();
        continue;
      }
      this.encoder.encode(data);
      data.close();
    }
  }

  async configure(data) {
    const config = { codec: 'opus', sampleRate: data.sampleRate, numberOfChannels: Math.min(2, data.numberOfChannels),
      bitrate: BITRATE };
    if (!(await AudioEncoder.isConfigSupported(config)).supported) {
      throw new Error('opus at ' + data.sampleRate + ' Hz is not supported');
    }
    this.encoder = new AudioEncoder({
      output: (chunk) => {
        if (this.closed || chunk.byteLength > MAX_PAYLOAD || chunk.timestamp < 0) return;
        const bytes = new Uint8Array(chunk.byteLength);
        chunk.copyTo(bytes);
        this.stats.encoded++;
        this.onMessage(encodeChunk({ key: chunk.type === 'key', timestamp: chunk.timestamp,
          duration: Math.min(MAX_DURATION, chunk.duration || 0), encodedAt: Date.now(), data: bytes }));
      },
      error: (e) => { this.stats.error = 'encoder: ' + e.message; },
    });
    this.encoder.configure(config);
  }

  close() {
    this.closed = true;
    this.reader.cancel().catch(() => {});
    if (this.encoder && this.encoder.state !== 'closed') this.encoder.close();
  }
}

/**
 * A node's audio toward its booster children (their rt-audio channels): the booster parent's chunks passed on
 * (`relay`), or else `track` encoded once for all of them, while there are any.
 */
export class AudioOut {
  constructor() {
    this.channels = new Set();
    this.track = null;
    this.relaying = false;
    this.encoder = null;
    this.stats = { sent: 0, dropped: 0, encoded: 0, error: null };
  }

  /** The audio track to encode when no booster parent sends chunks (null: none). */
  setTrack(track) {
    this.track = track || null;
    this.update(true);
  }

  /** Whether chunks come from a booster parent (then they are passed on, and nothing is encoded). */
  setRelaying(on) {
    this.relaying = on;
    this.update(false);
  }

  /** A booster child's rt-audio channel: it gets every chunk from now on, until it closes. */
  add(channel) {
    channel.binaryType = 'arraybuffer';
    this.channels.add(channel);
    channel.addEventListener('close', () => this.remove(channel));
    this.update(false);
  }

  /** Its edge closed (RTCPeerConnection.close() closes the channel without a close event). */
  remove(channel) {
    if (this.channels.delete(channel)) this.update(false);
  }

  /** A chunk message from the booster parent, passed on as it is. */
  relay(message) {
    if (this.relaying) this.send(message);
  }

  send(message) {
    for (const ch of this.channels) {
      if (ch.readyState === 'closed') {
        this.remove(ch);
        continue;
      }
      if (ch.readyState !== 'open') continue;
      if (ch.bufferedAmount > MAX_BUFFERED) {
        this.stats.dropped++; // a slow booster link loses chunks, not latency
        continue;
      }
      try {
        ch.send(message);
        this.stats.sent++;
      } catch (e) {
        // closing: its close event removes it
      }
    }
  }

  /** Runs the encoder exactly while there is a track to encode and a booster child to send to. */
  update(trackChanged) {
    const want = support.encode && !this.relaying && this.track && this.track.readyState === 'live'
      && this.channels.size > 0;
    if (this.encoder && (!want || trackChanged)) {
      this.encoder.close();
      this.encoder = null;
    }
    if (want && !this.encoder) this.encoder = new TrackEncoder(this.track, (m) => this.send(m), this.stats);
    if (!support.encode && this.channels.size > 0) this.stats.error = 'no WebCodecs AudioEncoder here';
  }

  close() {
    this.channels.clear();
    this.update(false);
  }
}

/** Plays chunk messages: `track` (kind audio) carries what they decode to. Needs support.decode. */
export class ChunkPlayer {
  constructor() {
    this.generator = new MediaStreamTrackGenerator({ kind: 'audio' });
    this.track = this.generator;
    this.writer = this.generator.writable.getWriter();
    this.decoder = null;
    this.lastTimestamp = -1;
    this.closed = false;
    this.levels = [];
    this.stats = { chunks: 0, malformed: 0, late: 0, decoded: 0, written: 0, latenciesMs: [], error: null };
  }

  /** The loudest decoded frame of about the last two seconds (RMS, 0..1): sound rather than silence. */
  level() {
    return this.levels.length ? Math.max(...this.levels) : 0;
  }

  /** One message from the parent's rt-audio channel. Bad ones are counted and skipped. */
  push(message) {
    if (this.closed) return;
    let c;
    try {
      c = decodeChunk(message);
    } catch (e) {
      this.stats.malformed++;
      return;
    }
    this.stats.chunks++;
    const lat = this.stats.latenciesMs;
    lat.push(Date.now() - c.encodedAt);
    if (lat.length > LATENCY_SAMPLES) lat.shift();
    // The channel is ordered, so an older timestamp means a new encoder upstream (a new parent, a new source),
    // whose clock starts anywhere: start afresh, except for a chunk just behind (an overlap while switching).
    if (c.timestamp <= this.lastTimestamp && c.timestamp > this.lastTimestamp - 200_000) {
      this.stats.late++;
      return;
    }
    this.lastTimestamp = c.timestamp;
    if (!this.decoder) this.open();
    if (this.decoder.decodeQueueSize > 10) {
      this.stats.late++;
      return;
    }
    try {
      this.decoder.decode(new EncodedAudioChunk({ type: c.key ? 'key' : 'delta', timestamp: c.timestamp,
        duration: c.duration || undefined, data: c.data }));
    } catch (e) {
      this.stats.error = 'decode: ' + e.message;
      this.decoder = null; // a closed decoder (after an error): the next chunk opens a new one
    }
  }

  open() {
    this.decoder = new AudioDecoder({
      output: (data) => this.write(data),
      error: (e) => {
        this.stats.error = 'decoder: ' + e.message;
        this.decoder = null;
      },
    });
    // Opus carries mono or stereo in every packet; decoding to stereo plays either.
    this.decoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
  }

  write(data) {
    this.stats.decoded++;
    this.levels.push(rms(data));
    if (this.levels.length > LEVEL_FRAMES) this.levels.shift();
    if (this.closed || this.writer.desiredSize !== null && this.writer.desiredSize < -10) {
      data.close(); // the track is not pulling (nothing plays it): skip rather than pile up
      return;
    }
    this.writer.write(data).then(() => { this.stats.written++; }, () => {});
  }

  /** The median of the recent chunks' travel from their encoder (the encoding node's clock) to here, ms. */
  latencyMs() {
    const s = [...this.stats.latenciesMs].sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : null;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.writer.close().catch(() => {});
    this.generator.stop();
  }
}

/** Root mean square of the first channel of a decoded frame (0..1): shows there is sound, not silence. */
function rms(data) {
  try {
    const n = data.numberOfFrames;
    const f = new Float32Array(n);
    data.copyTo(f, { planeIndex: 0, format: 'f32-planar' });
    let sum = 0;
    for (let i = 0; i < n; i++) sum += f[i] * f[i];
    return Math.sqrt(sum / Math.max(1, n));
  } catch (e) {
    return 0;
  }
}

// Playback figures, for the state (and so the overlay and the heartbeat): seconds of media buffered ahead of the
// playhead, the measured bitrate (bytes of the last segments over their duration), and how far behind the live
// edge the playhead is.

/** Segments the bitrate is measured over. */
const RECENT_FRAGMENTS = 5;

export class PlaybackFigures {
  /**
   * @param {HTMLVideoElement} video
   * @param {Object} state  window.waterfall.state: startedAt read; bufferSeconds, bitrateKbps and
   *                        liveEdgeDistance written by update()
   * @param {() => Object|null} hls  the hls.js instance in use, if any
   */
  constructor(video, state, hls) {
    this.video = video;
    this.state = state;
    this.hls = hls;
    /** {bytes, seconds} of the last few segments loaded. */
    this.recent = [];
  }

  /** Seconds of media buffered from the playhead on, in the range that holds it. */
  bufferAhead() {
    const video = this.video;
    const b = video.buffered;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) <= video.currentTime + 0.1 && video.currentTime <= b.end(i)) {
        return b.end(i) - video.currentTime;
      }
    }
    return 0;
  }

  /** A segment of `bytes` holding `seconds` of media was loaded. */
  noteFragment(bytes, seconds) {
    if (!(bytes > 0) || !(seconds > 0)) return;
    this.recent.push({ bytes: bytes, seconds: seconds });
    if (this.recent.length > RECENT_FRAGMENTS) this.recent.shift();
  }

  bitrateKbps() {
    let bytes = 0;
    let seconds = 0;
    for (const f of this.recent) {
      bytes += f.bytes;
      seconds += f.seconds;
    }
    if (seconds > 0) return Math.round(bytes * 8 / seconds / 1000);
    const hls = this.hls();
    const level = hls && hls.levels && hls.levels[Math.max(0, hls.currentLevel)];
    return level && level.bitrate > 0 ? Math.round(level.bitrate / 1000) : null;
  }

  /** Seconds between the playhead and the newest media the playlist offers. */
  liveEdgeDistance() {
    if (this.state.startedAt === null) return null;
    const video = this.video;
    const hls = this.hls();
    if (hls) {
      if (Number.isFinite(hls.latency) && hls.latency > 0) return hls.latency;
      const level = hls.levels && hls.levels[Math.max(0, hls.currentLevel)];
      if (level && level.details && Number.isFinite(level.details.edge)) return Math.max(0, level.details.edge - video.currentTime);
      return null;
    }
    return video.seekable.length > 0 ? Math.max(0, video.seekable.end(video.seekable.length - 1) - video.currentTime) : null;
  }

  update() {
    this.state.bufferSeconds = Math.round(this.bufferAhead() * 10) / 10;
    this.state.bitrateKbps = this.bitrateKbps();
    const edge = this.liveEdgeDistance();
    this.state.liveEdgeDistance = edge === null ? null : Math.round(edge * 10) / 10;
  }
}

// Waterfall's P2P for a site's own hls.js player: the page joins the stream's tree as a viewer and hls.js plays
// from the page's verified P2P store, through the same loader, store, verification and HTTP fallback as
// /watch/<stream> (p2p/node.js, p2p/loader.js). Ten lines on the site (web-player/README.md, "Embed"):
//
//   import { WaterfallP2P } from 'https://<coordinator>/web/waterfall-p2p.js';
//   const video = document.querySelector('video');
//   const p2p = await WaterfallP2P.join({ Hls, server: 'https://<coordinator>', stream: 'demo', video });
//   const hls = new Hls(p2p.hlsConfig({ /* the site's own options */ }));
//   p2p.attach(hls);
//   hls.loadSource(p2p.playlistUrl);
//   hls.attachMedia(video);
//
// join() rejects where the browser cannot be a node (no secure context, no WebCrypto Ed25519, no WebRTC) or the
// coordinator refuses (e.g. a private stream without `token`): the site then plays `await
// WaterfallP2P.httpUrl(...)` with plain hls.js.

import { BrowserNode, STARTUP_HTTP_SEGMENTS } from './p2p/node.js';
import { p2pLoader, p2pPlaylistUrl } from './p2p/loader.js';
import { supportsEd25519 } from './p2p/verify.js';

/** As watch.js: the first parent link waits for the start-up segments, but no longer than this. */
const FIRST_LINK_WAIT_MS = 4000;

export class WaterfallP2P {
  /**
   * Joins the tree; resolves once welcomed, with the stream's key imported.
   * @param {{Hls: Function, server: string, stream: string, video?: HTMLVideoElement, token?: string,
   *          upload?: boolean}} options  `Hls`: the site's hls.js class; `server`: the coordinator's base URL;
   *   `video`: the element hls.js plays into (its buffer sets how long the page waits for its parent);
   *   `token`: a private stream's viewer token; `upload: false`: a leaf, never any children
   */
  static async join(options) {
    if (!window.isSecureContext || !(window.crypto && crypto.subtle) || typeof RTCPeerConnection !== 'function') {
      throw new Error('unsupported: P2P needs a secure context (https), WebCrypto and WebRTC');
    }
    if (!options.Hls || !options.Hls.isSupported()) throw new Error('unsupported: hls.js cannot play here (no MSE)');
    if (!(await supportsEd25519())) throw new Error('unsupported: this browser\'s WebCrypto has no Ed25519');
    const p2p = new WaterfallP2P(options);
    try {
      await p2p.node.start();
    } catch (e) {
      p2p.node.close();
      throw e;
    }
    // Leaving: the coordinator re-attaches this page's children at once, not when the socket times out.
    window.addEventListener('pagehide', () => p2p.close(), { once: true });
    return p2p;
  }

  /** The stream's plain HLS URL at its first HTTP source, for a browser join() refused. */
  static async httpUrl(server, stream) {
    const base = server.replace(/\/+$/, '');
    const res = await fetch(base + '/api/streams/' + encodeURIComponent(stream) + '/fallbacks', { cache: 'no-store' });
    const body = res.ok ? await res.json() : {};
    const first = Array.isArray(body.fallbacks) ? body.fallbacks[0] : null;
    if (!first) throw new Error('no HTTP source for \'' + stream + '\' (coordinator answered ' + res.status + ')');
    return first.replace(/\/+$/, '') + '/hls/' + encodeURIComponent(stream) + '/index.m3u8';
  }

  constructor(options) {
    this.Hls = options.Hls;
    this.video = options.video || null;
    let firstLink;
    const linked = new Promise((resolve) => { firstLink = resolve; });
    setTimeout(firstLink, FIRST_LINK_WAIT_MS);
    this.firstLink = firstLink;
    this.node = new BrowserNode({
      stream: options.stream,
      server: options.server,
      key: options.token,
      upload: options.upload !== false,
      bufferSeconds: () => this.bufferSeconds(),
      firstLinkAfter: linked,
    });
    /** The URL to give hls.js: virtual, answered by the P2P loader (it never reaches the network). */
    this.playlistUrl = p2pPlaylistUrl(options.stream);
  }

  /** The site's hls.js options with the P2P loader (and, unless the site says otherwise, three segments back). */
  hlsConfig(config) {
    return Object.assign({ liveSyncDurationCount: 3 }, config || {}, { loader: p2pLoader(this.Hls, this.node) });
  }

  /**
   * Follows hls.js: the first parent link once the start-up segments are appended, and each HTTP segment's
   * append time (how long the loader leaves an HTTP fetch before the player would run dry).
   */
  attach(hls) {
    const loadedAt = new Map();
    let buffered = 0;
    hls.on(this.Hls.Events.FRAG_LOADED, (_e, data) => loadedAt.set(data.frag.sn, performance.now()));
    hls.on(this.Hls.Events.FRAG_BUFFERED, (_e, data) => {
      const at = loadedAt.get(data.frag.sn);
      loadedAt.delete(data.frag.sn);
      if (at !== undefined) this.node.delivery.noteAppend(performance.now() - at);
      if (++buffered === STARTUP_HTTP_SEGMENTS) this.firstLink();
    });
    hls.on(this.Hls.Events.MEDIA_ATTACHED, (_e, data) => { this.video = this.video || data.media; });
    return this;
  }

  /** Seconds of media buffered ahead of the playhead. */
  bufferSeconds() {
    const v = this.video;
    if (!v) return 0;
    for (let i = 0; i < v.buffered.length; i++) {
      if (v.buffered.start(i) <= v.currentTime + 0.1 && v.currentTime <= v.buffered.end(i)) {
        return v.buffered.end(i) - v.currentTime;
      }
    }
    return 0;
  }

  /** Where this page is and where its bytes came from (the overlay's figures on /watch). */
  stats() {
    const n = this.node;
    const total = n.stats.bytesFromParent + n.stats.bytesByFallback;
    return { nodeId: n.nodeId, parentId: n.parentId, depth: n.depth, children: n.childCount,
      bytesFromParent: n.stats.bytesFromParent, bytesByFallback: n.stats.bytesByFallback,
      p2pShare: total > 0 ? n.stats.bytesFromParent / total : null, error: n.error };
  }

  /** Leaves the tree (the coordinator re-attaches this page's children at once). */
  close() {
    this.node.leave();
  }
}

// What the coordinator says about a stream before the player starts: its kind, and where its HTTP is.

import { StreamType } from '../p2p/vocabulary.js';

/** The coordinator's fallback bases for `stream`, asked once: {bases, problem, private}; no bases, and why, if none. */
export async function listFallbacks(stream) {
  try {
    const res = await fetch('/api/streams/' + encodeURIComponent(stream) + '/fallbacks', { cache: 'no-store' });
    if (res.status === 401) {
      return { bases: [], problem: 'private-stream: this stream is private: it needs a viewer token', private: true };
    }
    if (!res.ok) return { bases: [], problem: 'coordinator answered ' + res.status };
    const body = await res.json();
    if (Array.isArray(body.fallbacks) && body.fallbacks.length > 0) return { bases: body.fallbacks, problem: null };
    if (body.withheld > 0) {
      return { bases: [], problem: 'none of this stream\'s ' + body.withheld + ' HTTP source(s) can be fetched from'
        + ' this page (plain http on an https page, or a private address): its origin and boosters need an https'
        + ' public URL' };
    }
    return { bases: [], problem: 'the stream has no source yet' };
  } catch (e) {
    return { bases: [], problem: 'coordinator unreachable: ' + e.message };
  }
}

/** Whether `stream` is a realtime stream (media tracks, no HLS: rt/viewer.js plays it). */
export async function isRealtime(stream) {
  try {
    const res = await fetch('/api/streams/' + encodeURIComponent(stream), { cache: 'no-store' });
    return res.ok && (await res.json()).type === StreamType.REALTIME;
  } catch (e) {
    return false;
  }
}

/**
 * The LL-HLS playlist URL (`/ll/<stream>/index.m3u8`) of the first of `bases` that serves one (the origin with
 * --ll-hls, and its boosters, which serve the parts the tree brought them), or null.
 */
export async function findLowLatency(bases, stream) {
  for (const base of bases) {
    const url = base.replace(/\/+$/, '') + '/ll/' + encodeURIComponent(stream) + '/index.m3u8';
    try {
      const res = await fetch(url, { method: 'HEAD', cache: 'no-store' });
      if (res.ok) return url;
    } catch (e) {
      // unreachable from this page: try the next
    }
  }
  return null;
}

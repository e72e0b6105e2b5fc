// The page's place in the tree over its signalling session: the first welcome (the stream's keys and fallbacks,
// then the store and the first parent link), a welcome after a reconnection (the same place resumed, or a new
// one), no place for now (`evicted`, `no-slot`: HTTP only, and ask again later), and forwarding turned on or off
// mid-session.

import { importPublicKey } from './verify.js';
import { importContentKey } from './content.js';

/** After `evicted` or `no-slot`, ask for a place again about this much later. */
const REJOIN_AFTER_MS = 10000;
/** While the stream has no origin yet, ask the coordinator for its key and fallbacks this often. */
const ORIGIN_POLL_MS = 2000;

/** Why a page cannot play over HTTP although the stream has `withheld` HTTP sources. */
function noUsableSource(withheld) {
  return 'no-usable-source: none of this stream\'s ' + withheld + ' HTTP source(s) can be fetched from this page'
    + ' (plain http on an https page, or a private address): its origin and boosters need an https public URL';
}

export class Place {
  /** @param {import('./node.js').BrowserNode} node */
  constructor(node) {
    this.node = node;
    this.rejoinTimer = null;
  }

  async welcome(w) {
    const node = this.node;
    if (node.store) {
      this.rewelcome(w);
      return;
    }
    this.take(w);
    node.httpFallback.set(w.fallbacks);
    if (w.stream && w.stream.privateStream) {
      if (!w.contentKey) throw new Error('no-content-key: the origin of this private stream has not joined yet');
      node.contentKey = await importContentKey(w.contentKey);
    }
    let publicKey = w.stream && w.stream.publicKey;
    while (!publicKey || node.httpFallback.bases.length === 0) {
      // No origin yet: the coordinator learns its key and HTTP base when it joins.
      await new Promise((r) => setTimeout(r, ORIGIN_POLL_MS));
      const res = await fetch(node.server + '/api/streams/' + encodeURIComponent(node.stream) + '/fallbacks', {
        cache: 'no-store',
        headers: node.key ? { Authorization: 'Bearer ' + node.key } : {} });
      if (res.ok) {
        const body = await res.json();
        publicKey = body.publicKey;
        if (Array.isArray(body.fallbacks)) node.httpFallback.set(body.fallbacks);
        // Sources exist, but none this page can fetch (the coordinator withholds plain http from an https page and
        // private addresses from the internet): waiting would not change that. The page says why (watch.js).
        if (node.httpFallback.bases.length === 0 && body.withheld > 0) throw new Error(noUsableSource(body.withheld));
      }
    }
    const key = await importPublicKey(publicKey);
    if (node.closed) return; // closed while joining (e.g. the page fell back to plain HLS)
    node.begin(key);
    this.keepUploadSetting(w);
    if (w.parent) {
      node.upstream.assign(w.parent);
      const linkFirstParent = () => {
        if (!node.closed) node.upstream.linkAssigned();
      };
      node.firstLinkAfter.then(linkFirstParent, linkFirstParent);
    }
  }

  /**
   * A welcome after a reconnection. `resumed`: the same place (same id, parent and children), nothing to redo
   * unless the parent link died meanwhile. Otherwise a new place: the old place's children were re-attached
   * elsewhere, and the parent (even the same node) expects an offer from the new id. Until the new link
   * carries data the old one (or the HTTP fallback) keeps the store filled.
   */
  rewelcome(w) {
    const node = this.node;
    const newPlace = w.nodeId !== node.nodeId;
    this.take(w);
    if (Array.isArray(w.fallbacks) && w.fallbacks.length > 0) node.httpFallback.set(w.fallbacks);
    if (newPlace) node.downstream.closeAll('new place');
    this.keepUploadSetting(w);
    if (w.parent) node.upstream.connectTo(w.parent, newPlace);
  }

  take(w) {
    this.node.welcome = w;
    this.node.nodeId = w.nodeId;
    this.node.depth = w.depth;
  }

  /** A place with slots while upload is off (e.g. it was turned off while disconnected): give them up. */
  keepUploadSetting(w) {
    if (!this.node.upload && w.capacity > 0) this.node.signalling.heartbeat({ uplinkKbps: 0 });
  }

  /**
   * No place in the tree for now (`evicted`, `no-slot`): play over HTTP and, once welcomed before, ask again in a
   * while (jittered, as a crowd would).
   */
  lost(welcomed) {
    this.node.upstream.drop();
    if (welcomed && this.rejoinTimer === null) {
      this.rejoinTimer = setTimeout(() => {
        this.rejoinTimer = null;
        this.node.signalling.reconnect();
      }, REJOIN_AFTER_MS * (0.5 + Math.random()));
    }
  }

  /**
   * Turns forwarding on or off mid-session; playback never stops for it.
   * - off: a heartbeat declaring an uplink of 0 kbps, which the coordinator turns into 0 slots, moving the
   *   children elsewhere ("capacity-changed"); each leaves this page's link once its new one carries data, and
   *   no new child is accepted. Same place, same parent.
   * - on: the coordinator never raises a place's slots from 0, so this leaves and joins afresh with
   *   `upload: true` (a new place and node id); the old parent link keeps feeding the store until the new one
   *   opens, and the HTTP fallback covers any gap.
   */
  setUpload(on) {
    const node = this.node;
    on = !!on;
    if (on === node.upload) return;
    node.upload = on;
    node.stats.uploadChanges++;
    if (!node.signalling) return;
    if (on) node.signalling.rejoin();
    else node.signalling.heartbeat({ uplinkKbps: 0 });
  }

  close() {
    if (this.rejoinTimer !== null) clearTimeout(this.rejoinTimer);
  }
}

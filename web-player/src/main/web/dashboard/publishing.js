// The dashboard's "Watch and publish" panel: the stream's watch and embed URLs (public), and, once the admin
// has typed the admin token (kept in this page's memory only, sent only to this coordinator), the encoder settings
// the origin announced (the admin's GET /api/streams: `ingest`) and the rotation of the publish key
// (POST /api/streams/<stream>/key, docs/protocol.md). Everything is written with textContent: nothing the
// coordinator or an origin says is parsed as HTML. The new key lives in the DOM until the page is left.

import { StreamType } from '../p2p/vocabulary.js';

const $ = (id) => document.getElementById(id);

/**
 * OBS's custom RTMP service: "Server" is the URL up to the application (`rtmp://host:port/live`, or `rtmps://` when
 * the origin has a certificate); its "Stream Key" is the publish key, which the origin's RTMP port checks. An older
 * origin announced `…/live/<stream>`.
 */
export function obsRtmpServer(url) {
  return url.replace(/^(rtmps?:\/\/[^/]+\/[^/]+)\/.*$/, '$1');
}

/** Plain RTMP carries the stream key in the clear; `rtmps://` (an origin with --tls-cert) does not. */
export function plainRtmp(url) {
  return /^rtmp:\/\//.test(url);
}

/** An origin bound to every address announces that address, which no encoder can reach. */
export function wildcardHost(url) {
  return /^[a-z]+:\/\/(0\.0\.0\.0|\[::\])(:|\/|$)/.test(url);
}

/** @param {Object} state what tests read: `admin` (settings shown), `rotations`, `error` */
export function showPublishing(stream, state) {
  const path = encodeURIComponent(stream);
  const api = '/api/streams/' + path;
  $('watch-url').textContent = location.origin + '/watch/' + path;
  $('embed-url').textContent = location.origin + '/embed/' + path;
  let token = '';

  const status = (text, isError) => {
    state.error = isError ? text : null;
    $('admin-status').textContent = text;
    $('admin-status').classList.toggle('error', !!isError);
  };

  async function call(method, url) {
    const res = await fetch(url, { method, cache: 'no-store', headers: { Authorization: 'Bearer ' + token } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new Error(res.status === 401 ? 'the admin token is not valid' : body.message || 'HTTP ' + res.status);
    }
    return body;
  }

  function show(s) {
    const ingest = s.ingest || {};
    $('rtmp').hidden = !ingest.rtmp;
    $('rtmp-none').hidden = !!ingest.rtmp;
    $('rtmp-plain').hidden = !ingest.rtmp || !plainRtmp(ingest.rtmp);
    if (ingest.rtmp) {
      $('rtmp-server').textContent = obsRtmpServer(ingest.rtmp);
    } else {
      $('rtmp-none').textContent = s.type === StreamType.REALTIME
        ? 'A realtime stream is published from the page ' + location.origin + '/publish/' + path + '.'
        : 'No origin has announced an RTMP endpoint yet: start waterfall publish --stream ' + stream
          + ' --key <publish key> --rtmp 1935, then show these settings again.';
    }
    $('whip').hidden = !ingest.whip;
    $('whip-none').hidden = !!ingest.whip;
    if (ingest.whip) $('whip-url').textContent = ingest.whip;
    $('host-note').hidden = ![ingest.rtmp, ingest.whip].some((u) => u && wildcardHost(u));
    $('admin-panel').hidden = false;
    state.admin = true;
  }

  $('admin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    token = $('admin-token').value.trim();
    try {
      // The admin list: it needs the admin token, so a wrong one is refused here (401).
      const mine = (await call('GET', '/api/streams')).streams.find((s) => s.name === stream);
      if (!mine) throw new Error('there is no stream named \'' + stream + '\'');
      show(mine);
      status('', false);
    } catch (err) {
      status(err.message, true);
    }
  });

  $('rotate').addEventListener('click', async () => {
    const disconnect = $('disconnect').checked;
    const what = 'Give \'' + stream + '\' a new publish key? The current key stops working at once'
      + (disconnect ? ', and the connected origin is cut off now.' : '; a connected origin carries on until it stops.');
    if (!confirm(what)) return;
    try {
      const s = await call('POST', api + '/key' + (disconnect ? '?disconnect=true' : ''));
      show(s);
      $('publish-key').textContent = s.publishKey;
      $('copy-status').textContent = '';
      $('new-key').hidden = false;
      state.rotations++;
      status('key rotated' + (disconnect ? '; the origin was disconnected' : ''), false);
    } catch (err) {
      status(err.message, true);
    }
  });

  $('copy-key').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('publish-key').textContent);
      $('copy-status').textContent = 'copied';
    } catch (err) {
      // No clipboard (plain http on another host, or refused): the key is selectable as one block.
      window.getSelection().selectAllChildren($('publish-key'));
      $('copy-status').textContent = 'selected: copy it with Ctrl+C';
    }
  });
}

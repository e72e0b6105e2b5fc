// The page's link to the tree-coordinator: one WebSocket to /ws on the page's own origin (docs/protocol.md
// "Signalling protocol"): join as a viewer, heartbeats with stats every welcome.heartbeatIntervalMs, and every
// other message handed to the node.
//
// Not yet (next slices): reconnecting with `resume` after the socket drops, and `leave` on pagehide. Today a
// dropped socket only stops heartbeats; the coordinator re-attaches our place's children (we have none) and the
// page keeps playing from its parent link and the HTTP fallback.

export class Signalling {
  /**
   * @param {{stream: string, upload: boolean, url?: string}} options
   * @param {{welcome: (w: Object) => void, message: (m: Object) => void, error: (e: Object) => void,
   *          closed: (reason: string) => void, stats: () => Object}} handlers
   */
  constructor(options, handlers) {
    this.options = options;
    this.handlers = handlers;
    this.ws = null;
    this.welcome = null;
    this.heartbeatTimer = null;
  }

  static defaultUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  start() {
    const ws = new WebSocket(this.options.url || Signalling.defaultUrl());
    this.ws = ws;
    ws.onopen = () => {
      this.send({ type: 'join', stream: this.options.stream, role: 'viewer', key: null, upload: this.options.upload });
    };
    ws.onmessage = (event) => {
      let m;
      try {
        m = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!m || typeof m !== 'object') return;
      if (m.type === 'welcome') {
        this.welcome = m;
        this.startHeartbeats(m.heartbeatIntervalMs || 2000);
        this.handlers.welcome(m);
      } else if (m.type === 'error') {
        this.handlers.error(m);
      } else {
        this.handlers.message(m);
      }
    };
    ws.onclose = (event) => {
      this.stopHeartbeats();
      this.handlers.closed('socket closed ' + event.code + (event.reason ? ' ' + event.reason : ''));
    };
  }

  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(Object.assign({ v: 1 }, message)));
    return true;
  }

  signal(to, data) {
    return this.send({ type: 'signal', to: to, data: data });
  }

  startHeartbeats(intervalMs) {
    this.stopHeartbeats();
    this.heartbeatTimer = setInterval(() => this.send({ type: 'heartbeat', stats: this.handlers.stats() }), intervalMs);
  }

  stopHeartbeats() {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  close() {
    this.stopHeartbeats();
    if (this.ws) this.ws.close(1000);
  }
}

// A realtime page's link to the tree-coordinator: one WebSocket to /ws on the page's own origin, joining with
// any role (the publisher is the origin, with the publish key), heartbeats with stats every
// welcome.heartbeatIntervalMs, every other message handed on (docs/protocol.md "Signalling protocol").
// p2p/signalling.js is the HLS page's twin; it only ever joins as a viewer.

export class RtSignalling {
  /**
   * @param {{stream: string, role: string, key?: string, upload?: boolean}} join
   * @param {{welcome: (w: Object) => void, message: (m: Object) => void, error: (e: Object) => void,
   *          closed: (why: string) => void, stats: () => Promise<Object>}} handlers
   */
  constructor(join, handlers) {
    this.join = join;
    this.handlers = handlers;
    this.ws = null;
    this.timer = null;
  }

  start() {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    this.ws = ws;
    ws.onopen = () => this.send({ type: 'join', stream: this.join.stream, role: this.join.role,
      key: this.join.key || null, upload: this.join.upload !== false });
    ws.onmessage = (event) => {
      let m;
      try {
        m = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!m || typeof m !== 'object') return;
      if (m.type === 'welcome') {
        this.beat(m.heartbeatIntervalMs || 2000);
        this.handlers.welcome(m);
      } else if (m.type === 'error') {
        this.handlers.error(m);
      } else {
        this.handlers.message(m);
      }
    };
    ws.onclose = (event) => {
      this.stopBeating();
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

  beat(intervalMs) {
    this.stopBeating();
    this.timer = setInterval(async () => {
      let stats = null;
      try {
        stats = await this.handlers.stats();
      } catch (e) {
        // stats are best effort; the heartbeat itself is what keeps the place
      }
      this.send(stats ? { type: 'heartbeat', stats: stats } : { type: 'heartbeat' });
    }, intervalMs);
  }

  stopBeating() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  close() {
    this.stopBeating();
    if (this.ws) this.ws.close(1000);
  }
}

// p2p/peer.js: what both ends' links share (lane 0's connection and channel, the open lanes, the end told once),
// with a connection faked in memory: no browser, no network.
import assert from 'node:assert/strict';
import test from 'node:test';

class FakeChannel {
  constructor() {
    this.readyState = 'connecting';
  }
  close() {
    this.readyState = 'closed';
  }
}

class FakeConnection {
  constructor(config) {
    this.config = config;
    this.closed = false;
  }
  createDataChannel() {
    return new FakeChannel();
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0' };
  }
  async setLocalDescription(d) {
    this.localDescription = d;
  }
  close() {
    this.closed = true;
  }
}

globalThis.RTCPeerConnection = FakeConnection;
const { ChildLink, ParentLink } = await import('../../main/web/p2p/peer.js');

function events() {
  const ends = [];
  return { ends, signal() {}, open() {}, message() {}, closed: (link, why) => ends.push(why) };
}

for (const [name, make] of [
  ['ParentLink', (e) => new ParentLink('p', [], e)],
  ['ChildLink', (e) => new ChildLink('c', [], e)],
]) {
  test(`${name}: lane 0's connection and channel are the link's, and it is open when lane 0's channel is`, () => {
    const e = events();
    const link = make(e);
    assert.equal(link.pc, link.lanes[0].pc);
    assert.ok(link.pc instanceof FakeConnection);
    assert.equal(link.openLanes, 0);
    assert.equal(link.isOpen(), false);
    link.lanes[0].channel = link.lanes[0].channel || new FakeChannel();
    link.lanes[0].channel.readyState = 'open';
    assert.equal(link.channel, link.lanes[0].channel);
    assert.equal(link.openLanes, 1);
    assert.equal(link.isOpen(), true);
  });

  test(`${name}: an extra lane's end drops the lane; lane 0's ends the link, told once`, () => {
    const e = events();
    const link = make(e);
    const extra = { index: 1, isOpen: () => true, close() {} };
    link.lanes.push(extra);
    link.laneClosed(extra, 'channel closed');
    assert.deepEqual(link.lanes.map((l) => l.index), [0]);
    assert.deepEqual(e.ends, []);
    link.laneClosed(link.lanes[0], 'connection failed');
    link.close('again');
    assert.deepEqual(e.ends, ['connection failed']);
    assert.equal(link.closed, true);
    assert.equal(link.closeReason, 'connection failed');
    assert.equal(link.pc.closed, true);
    assert.equal(link.isOpen(), false);
  });
}

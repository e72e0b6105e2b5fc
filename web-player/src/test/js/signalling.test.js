// The page's signalling proves possession of its key (docs/protocol.md "resume"): every join names the page's
// Ed25519 public key, and a resume after a drop is signed with the private half over the stream, node, token
// and the token's age. Sockets are fakes that record what is sent; the crypto is the real WebCrypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Signalling } from '../../main/web/p2p/signalling.js';
import { resumeSignedText } from '../../main/web/p2p/nodekey.js';
import { base64ToBytes } from '../../main/web/p2p/bytes.js';

class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = FakeSocket.CONNECTING;
    this.sent = [];
    FakeSocket.all.push(this);
    setTimeout(() => {
      this.readyState = FakeSocket.OPEN;
      this.onopen();
    }, 0);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close(code) {
    this.readyState = 3;
    setTimeout(() => this.onclose({ code: code || 1006, reason: '' }), 0);
  }
  receive(message) {
    this.onmessage({ data: JSON.stringify(Object.assign({ v: 1 }, message)) });
  }
}

globalThis.WebSocket = FakeSocket;
globalThis.location = { protocol: 'http:', host: 'coordinator.test' };

const until = async (what) => {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(what(), 'waited 1 s');
};

function signalling() {
  const s = new Signalling({ stream: 'live', url: 'ws://coordinator.test/ws' },
    { welcome() {}, message() {}, error() {}, closed() {}, stats: () => ({}) });
  // Reconnections at once: the back-off is not what is tested.
  s.backoff = { next: () => 0, reset() {} };
  return s;
}

const verify = async (message) => {
  const key = await crypto.subtle.importKey('spki', base64ToBytes(message.nodeKey), { name: 'Ed25519' }, false,
    ['verify']);
  const text = resumeSignedText(message.stream, message.nodeId, message.resumeToken, message.tokenAgeMs);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, base64ToBytes(message.signature),
    new TextEncoder().encode(text));
};

test('a join names the page\'s Ed25519 key, whose private half cannot be exported', async () => {
  FakeSocket.all = [];
  const s = signalling();
  s.start();
  await until(() => FakeSocket.all[0] && FakeSocket.all[0].sent.length === 1);
  const join = FakeSocket.all[0].sent[0];
  assert.equal(join.type, 'join');
  const spki = base64ToBytes(join.nodeKey);
  assert.equal(spki.length, 44, 'an Ed25519 SubjectPublicKeyInfo');
  assert.equal(s.nodeKey.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', s.nodeKey.privateKey));
  s.close();
});

test('a resume after a drop is signed by that key over the latest token and its age', async () => {
  FakeSocket.all = [];
  const s = signalling();
  s.start();
  await until(() => FakeSocket.all[0] && FakeSocket.all[0].sent.length === 1);
  const first = FakeSocket.all[0];
  const nodeKey = first.sent[0].nodeKey;
  first.receive({ type: 'welcome', nodeId: 'n1', resumeToken: 'c1.1.2.mac-one', resumed: false,
    heartbeatIntervalMs: 60000 });
  await new Promise((r) => setTimeout(r, 120));
  first.receive({ type: 'resume-token', resumeToken: 'c1.3.4.mac-two' });
  await new Promise((r) => setTimeout(r, 60));
  s.drop();
  await until(() => FakeSocket.all[1] && FakeSocket.all[1].sent.length === 1);
  const resume = FakeSocket.all[1].sent[0];
  assert.equal(resume.type, 'resume');
  assert.equal(resume.nodeId, 'n1');
  assert.equal(resume.resumeToken, 'c1.3.4.mac-two', 'the renewed token');
  assert.equal(resume.nodeKey, nodeKey, 'the key the join named');
  assert.ok(resume.tokenAgeMs >= 50 && resume.tokenAgeMs < 1000, 'the renewed token\'s age: ' + resume.tokenAgeMs);
  assert.equal(await verify(resume), true);
  // The signature covers every field: another token, node or age does not verify.
  assert.equal(await verify(Object.assign({}, resume, { resumeToken: 'c1.1.2.mac-one' })), false);
  assert.equal(await verify(Object.assign({}, resume, { nodeId: 'n2' })), false);
  assert.equal(await verify(Object.assign({}, resume, { tokenAgeMs: resume.tokenAgeMs + 1 })), false);
  s.close();
});

test('without a resume token (a welcome that gave none) the page joins afresh', async () => {
  FakeSocket.all = [];
  const s = signalling();
  s.start();
  await until(() => FakeSocket.all[0] && FakeSocket.all[0].sent.length === 1);
  FakeSocket.all[0].receive({ type: 'welcome', nodeId: 'n1', resumed: false, heartbeatIntervalMs: 60000 });
  s.drop();
  await until(() => FakeSocket.all[1] && FakeSocket.all[1].sent.length === 1);
  assert.equal(FakeSocket.all[1].sent[0].type, 'join');
  s.close();
});

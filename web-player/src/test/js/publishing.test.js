// The dashboard's OBS settings, from the URLs an origin announces (dashboard/publishing.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { obsRtmpServer, plainRtmp, wildcardHost } from '../../main/web/dashboard/publishing.js';

test('OBS\'s Server is the RTMP URL up to the application; the stream key is the publish key', () => {
  assert.equal(obsRtmpServer('rtmp://origin.example.org:1935/live'), 'rtmp://origin.example.org:1935/live');
  assert.equal(obsRtmpServer('rtmp://[::1]:1935/live'), 'rtmp://[::1]:1935/live');
  assert.equal(obsRtmpServer('rtmps://origin.example.org:1935/live'), 'rtmps://origin.example.org:1935/live');
  // an origin of the previous release announced the stream's name after it: never shown as a key
  assert.equal(obsRtmpServer('rtmp://origin.example.org:1935/live/talk'), 'rtmp://origin.example.org:1935/live');
});

test('a wildcard bind address is recognised, a real host is not', () => {
  assert.equal(wildcardHost('rtmp://0.0.0.0:1935/live/talk'), true);
  assert.equal(wildcardHost('http://[::]:8443/whip/talk'), true);
  assert.equal(wildcardHost('rtmp://0.0.0.0.example.org:1935/live/talk'), false);
  assert.equal(wildcardHost('rtmp://192.168.1.20:1935/live/talk'), false);
});

test('only plain rtmp:// gets the unencrypted-key note; an origin with a certificate announces rtmps://', () => {
  assert.equal(plainRtmp('rtmp://origin.example.org:1935/live'), true);
  assert.equal(plainRtmp('rtmps://origin.example.org:1935/live'), false);
});

// The dashboard's OBS settings, from the URLs an origin announces (dashboard/publishing.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { obsRtmp, wildcardHost } from '../../main/web/dashboard/publishing.js';

test('an RTMP URL splits into OBS\'s Server and Stream Key', () => {
  assert.deepEqual(obsRtmp('rtmp://origin.example.org:1935/live/talk'),
    { server: 'rtmp://origin.example.org:1935/live', key: 'talk' });
  assert.deepEqual(obsRtmp('rtmp://[::1]:1935/live/a_b-1'), { server: 'rtmp://[::1]:1935/live', key: 'a_b-1' });
});

test('a wildcard bind address is recognised, a real host is not', () => {
  assert.equal(wildcardHost('rtmp://0.0.0.0:1935/live/talk'), true);
  assert.equal(wildcardHost('http://[::]:8443/whip/talk'), true);
  assert.equal(wildcardHost('rtmp://0.0.0.0.example.org:1935/live/talk'), false);
  assert.equal(wildcardHost('rtmp://192.168.1.20:1935/live/talk'), false);
});

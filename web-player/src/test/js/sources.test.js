// watch/sources.js findLowLatency: `?ll=1` plays the first fallback base that serves /ll/ (today only the origin).
import assert from 'node:assert/strict';
import test from 'node:test';
import { findLowLatency } from '../../main/web/watch/sources.js';

function stubFetch(answers) {
  const asked = [];
  globalThis.fetch = async function (url, init) {
    asked.push({ url: url, method: init && init.method });
    const answer = answers[url];
    if (answer instanceof Error) throw answer;
    return { ok: answer === 200, status: answer || 404 };
  };
  return asked;
}

test('skips bases without LL-HLS (a booster) or unreachable, and takes the first that serves it', async () => {
  const asked = stubFetch({
    'http://b1:8091/ll/my%20talk/index.m3u8': 404,
    'http://b2:8092/ll/my%20talk/index.m3u8': new Error('refused'),
    'http://origin:8090/ll/my%20talk/index.m3u8': 200,
  });
  const url = await findLowLatency(['http://b1:8091/', 'http://b2:8092', 'http://origin:8090//'], 'my talk');
  assert.equal(url, 'http://origin:8090/ll/my%20talk/index.m3u8');
  assert.deepEqual(asked.map((a) => a.method), ['HEAD', 'HEAD', 'HEAD']);
});

test('null when no base serves it (the origin runs without --ll-hls)', async () => {
  stubFetch({});
  assert.equal(await findLowLatency(['http://origin:8090'], 'talk'), null);
  assert.equal(await findLowLatency([], 'talk'), null);
});

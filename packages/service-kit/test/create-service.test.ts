import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { baseConfigShape, createService, HttpProblem, loadConfig } from '../src/index';

const config = loadConfig(z.object(baseConfigShape(8000)), { VERSION: 'kit-v', LOG_LEVEL: 'info' });
const lines: string[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...String(chunk).trim().split('\n'));
    done();
  },
});

const { app } = await createService({
  name: 'kit',
  config,
  versionFields: { kit_version: 'kit-v' },
  logStream,
});
app.get('/boom', async () => {
  throw new Error('secret internals at /srv/app.ts:12');
});
app.get('/teapot', async () => {
  throw new HttpProblem(418, "I'm a teapot", 'short and stout', { 'retry-after': '7' });
});
app.get('/ok', async () => ({ ok: true }));
after(() => app.close());

describe('createService', () => {
  it('renders thrown problems as problem+json with the version fields', async () => {
    const response = await app.inject({ method: 'GET', url: '/teapot' });
    assert.equal(response.statusCode, 418);
    assert.equal(response.headers['retry-after'], '7');
    assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.deepEqual(response.json(), {
      kit_version: 'kit-v',
      type: 'about:blank',
      title: "I'm a teapot",
      status: 418,
      detail: 'short and stout',
    });
  });

  it('hides unexpected errors behind a bare 500 and logs them', async () => {
    const response = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(response.statusCode, 500);
    assert.doesNotMatch(response.body, /secret internals|\.ts/);
    assert.ok(lines.some((line) => line.includes('unhandled error') && line.includes('secret internals')));
  });

  it('refuses request bodies with 413', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/ok',
      payload: 'x'.repeat(10),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().kit_version, 'kit-v');
  });

  it('sends security headers and no framework banner', async () => {
    const response = await app.inject({ method: 'GET', url: '/ok' });
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(response.headers['x-powered-by'], undefined);
    assert.equal(response.headers['access-control-allow-origin'], undefined, 'CORS is off by default');
  });

  it('writes one JSON access-log line per request, with the request id and route template', async () => {
    lines.length = 0;
    await app.inject({
      method: 'GET',
      url: '/ok?secret=1',
      headers: { 'x-request-id': 'req-77', authorization: 'Bearer t0ken' },
    });
    const access = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request completed');
    assert.equal(access.length, 1);
    assert.equal(access[0].requestId, 'req-77');
    assert.equal(access[0].route, '/ok');
    assert.equal(access[0].statusCode, 200);
    assert.ok(lines.every((line) => !line.includes('t0ken')));
  });

  it('answers CORS preflights only when origins are configured', async () => {
    const withCors = loadConfig(z.object(baseConfigShape(8000)), {
      LOG_LEVEL: 'silent',
      CORS_ORIGINS: 'https://app.example.com',
    });
    const { app: corsApp } = await createService({ name: 'cors', config: withCors, versionFields: {} });
    corsApp.get('/ok', async () => ({ ok: true }));
    after(() => corsApp.close());
    const allowed = await corsApp.inject({
      method: 'GET',
      url: '/ok',
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
    const other = await corsApp.inject({
      method: 'GET',
      url: '/ok',
      headers: { origin: 'https://evil.example.com' },
    });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});

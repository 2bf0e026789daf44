import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { FakeAuxiliary, json, mainApi } from '../helpers';

const auxiliary = new FakeAuxiliary();
let app: FastifyInstance;

before(async () => {
  ({ app } = await mainApi(await auxiliary.start()));
});
after(async () => {
  await app.close();
  await auxiliary.stop();
});

describe('forwarding to auxiliary-service', () => {
  it('returns the auxiliary body plus main_version, keys sorted as in the specification', async () => {
    auxiliary.respond = (response) =>
      json(response, 200, { value: 'test', name: '/test/apps/config/env_name', auxiliary_version: 'aux-v' });
    const response = await app.inject({ method: 'GET', url: '/parameter?name=/test/apps/config/env_name' });
    assert.equal(response.statusCode, 200);
    assert.equal(
      response.body,
      '{"auxiliary_version":"aux-v","main_version":"main-v","name":"/test/apps/config/env_name","value":"test"}',
    );
  });

  it('forwards the path, the query string verbatim and the request id', async () => {
    auxiliary.respond = (response) => json(response, 200, { auxiliary_version: 'aux-v', parameters: [] });
    const before = auxiliary.requests.length;
    const response = await app.inject({
      method: 'GET',
      url: '/parameter?name=%2Ftest%2Fapps%2Fx&name=second',
      headers: { 'x-request-id': 'trace-42' },
    });
    const seen = auxiliary.requests[before];
    assert.equal(seen?.url, '/parameter?name=%2Ftest%2Fapps%2Fx&name=second');
    assert.equal(seen?.headers['x-request-id'], 'trace-42');
    assert.equal(response.headers['x-request-id'], 'trace-42');
  });

  it('generates a request id when the client sends none, and forwards that one', async () => {
    const before = auxiliary.requests.length;
    const response = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(auxiliary.requests[before]?.headers['x-request-id'], response.headers['x-request-id']);
  });

  for (const status of [400, 403, 404]) {
    it(`passes an auxiliary ${status} through unchanged, plus main_version`, async () => {
      const problem = { type: 'about:blank', title: 'x', status, detail: 'd', auxiliary_version: 'aux-v' };
      auxiliary.respond = (response) => json(response, status, problem);
      const response = await app.inject({ method: 'GET', url: '/parameter?name=x' });
      assert.equal(response.statusCode, status);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      assert.deepEqual(response.json(), { ...problem, main_version: 'main-v' });
    });
  }

  it('passes 503 through with Retry-After, and marks stale answers', async () => {
    auxiliary.respond = (response) =>
      json(response, 503, { status: 503, title: 'Service Unavailable' }, { 'retry-after': '2' });
    const unavailable = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(unavailable.statusCode, 503);
    assert.equal(unavailable.headers['retry-after'], '2');

    auxiliary.respond = (response) => json(response, 200, { buckets: [] }, { 'x-cache': 'stale' });
    assert.equal((await app.inject({ method: 'GET', url: '/buckets' })).headers['x-cache'], 'stale');
  });

  it('answers 502 when auxiliary-service sends something that is not JSON', async () => {
    auxiliary.respond = (response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>proxy error</html>');
    };
    const response = await app.inject({ method: 'GET', url: '/parameters' });
    assert.equal(response.statusCode, 502);
    assert.equal(response.json().main_version, 'main-v');
  });

  it('keeps connections to auxiliary-service alive across requests', async () => {
    auxiliary.respond = (response) => json(response, 200, {});
    const before = auxiliary.connections;
    for (let i = 0; i < 20; i++) await app.inject({ method: 'GET', url: '/buckets' });
    assert.ok(auxiliary.connections - before <= 1, `opened ${auxiliary.connections - before} connections`);
  });

  it('counts upstream calls by route and outcome', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /upstream_requests_total\{[^}]*route="\/buckets"[^}]*outcome="200"/);
    assert.match(metrics.body, /upstream_request_duration_seconds_bucket/);
  });
});

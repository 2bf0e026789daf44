import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { appWithMockedAws } from './helpers';

const { app } = await appWithMockedAws();
after(() => app.close());

describe('auxiliary-service HTTP basics', () => {
  it('answers /healthz without touching AWS', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  it('answers unknown paths with a 404 problem carrying the version', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
    assert.equal(response.statusCode, 404);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    assert.deepEqual(Object.keys(response.json()).sort(), [
      'auxiliary_version',
      'detail',
      'status',
      'title',
      'type',
    ]);
  });

  it('answers other methods on known paths with 405 and Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      const response = await app.inject({ method, url: '/buckets' });
      assert.equal(response.statusCode, 405, method);
      assert.equal(response.headers.allow, 'GET, HEAD');
      assert.equal(response.json().auxiliary_version, 'v-test');
    }
  });

  it('keeps an acceptable X-Request-Id and replaces a hostile one', async () => {
    const kept = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(kept.headers['x-request-id'], 'abc-123');
    const replaced = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b\tc' },
    });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('exposes Prometheus metrics labelled by route template', async () => {
    await app.inject({ method: 'GET', url: '/parameter?name=/prod/x' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /http_requests_total\{[^}]*route="\/parameter"[^}]*status_code="403"/);
    assert.doesNotMatch(response.body, /name=\/prod/, 'raw URLs never become labels');
    assert.match(response.body, /process_cpu_seconds_total/);
  });
});

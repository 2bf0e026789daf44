import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mainApi } from '../helpers';

describe('main-api /healthz and /readyz', () => {
  it('is live and ready while serving, not ready while draining', async () => {
    const { app, lifecycle } = await mainApi('http://127.0.0.1:9');
    after(() => app.close());
    assert.deepEqual((await app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    assert.deepEqual((await app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready' });
    lifecycle.startDraining();
    const draining = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(draining.statusCode, 503);
    assert.equal(draining.json().main_version, 'main-v');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});

import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeAuxiliary, json, mainApi } from '../helpers';

describe('when more calls wait for auxiliary-service than UPSTREAM_MAX_PENDING allows', () => {
  it('answers the extra call 503 at once with Retry-After, counts it, and serves the others', async () => {
    const auxiliary = new FakeAuxiliary();
    const held: ServerResponse[] = [];
    auxiliary.respond = (response) => held.push(response);
    const { app } = await mainApi(await auxiliary.start(), {
      UPSTREAM_CONNECTIONS: '1',
      UPSTREAM_MAX_PENDING: '1',
      UPSTREAM_TIMEOUT_MS: '5000',
    });
    after(async () => {
      await app.close();
      await auxiliary.stop();
    });

    // One call on the only connection, one waiting for it: the bound is reached.
    const first = app.inject({ method: 'GET', url: '/buckets' });
    const second = app.inject({ method: 'GET', url: '/buckets' });
    while (held.length < 1) await sleep(5);

    const started = performance.now();
    const refused = await app.inject({ method: 'GET', url: '/parameters' });
    assert.ok(performance.now() - started < 500, 'refused at once, not after waiting');
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '1');
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(refused.json().main_version, 'main-v');
    assert.equal(auxiliary.requests.length, 1, 'the refused call never reached auxiliary-service');

    for (const response of held.splice(0)) json(response, 200, { auxiliary_version: 'aux-v', buckets: [] });
    while (held.length < 1) await sleep(5);
    for (const response of held.splice(0)) json(response, 200, { auxiliary_version: 'aux-v', buckets: [] });
    assert.equal((await first).statusCode, 200);
    assert.equal((await second).statusCode, 200);

    // Capacity is given back as calls settle: the next call goes through.
    auxiliary.respond = (response) => json(response, 200, { auxiliary_version: 'aux-v', parameters: [] });
    assert.equal((await app.inject({ method: 'GET', url: '/parameters' })).statusCode, 200);

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(
      metrics,
      /upstream_requests_total\{route="\/parameters",outcome="shed",service="main-api"\} 1\n/,
    );
    assert.match(
      metrics,
      /upstream_requests_total\{route="\/buckets",outcome="200",service="main-api"\} 2\n/,
    );
  });

  it('with UPSTREAM_MAX_PENDING=0 refuses as soon as every connection is busy', async () => {
    const auxiliary = new FakeAuxiliary();
    const held: ServerResponse[] = [];
    auxiliary.respond = (response) => held.push(response);
    const { app } = await mainApi(await auxiliary.start(), {
      UPSTREAM_CONNECTIONS: '2',
      UPSTREAM_MAX_PENDING: '0',
    });
    after(async () => {
      await app.close();
      await auxiliary.stop();
    });
    const busy = [app.inject('/buckets'), app.inject('/buckets')];
    while (held.length < 2) await sleep(5);
    assert.equal((await app.inject('/buckets')).statusCode, 503);
    for (const response of held.splice(0)) json(response, 200, { auxiliary_version: 'aux-v', buckets: [] });
    for (const response of await Promise.all(busy)) assert.equal(response.statusCode, 200);
  });
});

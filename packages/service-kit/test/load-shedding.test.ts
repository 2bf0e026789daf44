import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { baseConfigShape, createService, loadConfig } from '../src/index';

async function serviceWith(env: Record<string, string>) {
  const config = loadConfig(z.object(baseConfigShape(8000)), { LOG_LEVEL: 'silent', ...env });
  const { app } = await createService({ name: 'kit', config, versionFields: { kit_version: 'v' } });
  app.get('/work', async () => ({ ok: true }));
  after(() => app.close());
  await app.ready();
  await sleep(2_100); // shedding is armed two samples after ready
  return app;
}

/** Keeps the event loop busy, as a flood of requests would. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {}
}

/** Sustained lag: the loop turns only every `stepMs`, for `totalMs`. */
async function lagEventLoop(totalMs: number, stepMs: number): Promise<void> {
  const until = Date.now() + totalMs;
  while (Date.now() < until) {
    blockEventLoop(stepMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('load shedding', () => {
  it('does not shed the first requests after a start-up that blocked the loop', async () => {
    const config = loadConfig(z.object(baseConfigShape(8000)), {
      LOG_LEVEL: 'silent',
      LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '50',
    });
    const { app } = await createService({ name: 'kit', config, versionFields: { kit_version: 'v' } });
    app.get('/work', async () => ({ ok: true }));
    after(() => app.close());
    blockEventLoop(700); // what loading a bundle and building SDK clients does
    await app.ready();
    await sleep(20);
    assert.equal((await app.inject({ method: 'GET', url: '/work' })).statusCode, 200);
  });

  it('answers 503 problem+json with Retry-After at once while the event loop lags, probes excepted', async () => {
    const app = await serviceWith({ LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '50' });
    assert.equal((await app.inject({ method: 'GET', url: '/work' })).statusCode, 200);

    await lagEventLoop(2_200, 200); // two whole samples (every 1 s) of ~200 ms delays
    const shed = await app.inject({ method: 'GET', url: '/work' });
    assert.equal(shed.statusCode, 503);
    assert.equal(shed.headers['retry-after'], '1');
    assert.match(String(shed.headers['content-type']), /^application\/problem\+json/);
    assert.equal(shed.json().kit_version, 'v');
    assert.ok(shed.headers['x-request-id'], 'a shed answer still carries the request id');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /http_requests_shed_total\{route="\/work",reason="eventLoopDelay"[^}]*\} 1/);

    await sleep(2_100); // two quiet samples
    assert.equal((await app.inject({ method: 'GET', url: '/work' })).statusCode, 200, 'recovers by itself');
  });

  it('can be turned off', async () => {
    const app = await serviceWith({ LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0' });
    await lagEventLoop(2_200, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/work' })).statusCode, 200);
    assert.doesNotMatch(
      (await app.inject({ method: 'GET', url: '/metrics' })).body,
      /http_requests_shed_total/,
    );
  });
});

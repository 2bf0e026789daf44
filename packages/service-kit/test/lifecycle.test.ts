import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { baseConfigShape, createService, loadConfig } from '../src/index';
import { installGracefulShutdown, Lifecycle } from '../src/lifecycle';

const config = loadConfig(z.object(baseConfigShape(8000)), { LOG_LEVEL: 'silent' });

describe('installGracefulShutdown', () => {
  it('flips readiness first, finishes in-flight requests, then exits 0', async () => {
    const { app, lifecycle } = await createService({ name: 'kit', config, versionFields: {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    app.get('/slow', async () => {
      await released;
      return { done: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const exits: number[] = [];
    installGracefulShutdown(app, lifecycle, {
      delayMs: 50,
      timeoutMs: 2_000,
      signals: ['SIGUSR2'],
      exit: (code) => exits.push(code),
    });

    const inFlight = fetch(`${url}/slow`);
    await sleep(50);
    process.emit('SIGUSR2', 'SIGUSR2');
    assert.equal(lifecycle.draining, true, 'readiness flips at once');
    await sleep(150);
    assert.deepEqual(exits, [], 'still waiting for the in-flight request');
    release();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(
      response.headers.get('connection'),
      'close',
      'the client is told not to reuse the connection',
    );
    assert.deepEqual(await response.json(), { done: true });
    const deadline = Date.now() + 1_000;
    while (exits.length === 0 && Date.now() < deadline) await sleep(10);
    assert.deepEqual(exits, [0], 'closed well before the timeout');
  });

  it('exits 1 when in-flight requests outlive the timeout', async () => {
    const { app } = await createService({ name: 'kit', config, versionFields: {} });
    app.get('/never', () => new Promise(() => {}));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const exits: number[] = [];
    installGracefulShutdown(app, new Lifecycle(), {
      delayMs: 0,
      timeoutMs: 200,
      signals: ['SIGUSR2'],
      exit: (code) => exits.push(code),
    });
    const controller = new AbortController();
    const request = fetch(`${url}/never`, { signal: controller.signal }).catch(() => undefined);
    await sleep(50);
    process.emit('SIGUSR2', 'SIGUSR2');
    await sleep(400);
    assert.deepEqual(exits, [1]);
    controller.abort();
    await request;
    app.server.closeAllConnections();
  });
});

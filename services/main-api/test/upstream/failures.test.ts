import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { mainApi } from '../helpers';

describe('when auxiliary-service gives no usable answer', () => {
  it('answers 502 at once if nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as { port: number };
    closed.close();

    const { app } = await mainApi(`http://127.0.0.1:${port}`);
    after(() => app.close());
    const started = Date.now();
    const response = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(response.statusCode, 502);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    assert.equal(response.json().main_version, 'main-v');
    assert.ok(Date.now() - started < 1_000);
  });

  it('answers 504 after UPSTREAM_TIMEOUT_MS if it accepts but never answers', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const hanging = createServer((socket) => sockets.add(socket));
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const { port } = hanging.address() as { port: number };
    after(() => {
      for (const socket of sockets) socket.destroy();
      hanging.close();
    });

    const { app } = await mainApi(`http://127.0.0.1:${port}`, { UPSTREAM_TIMEOUT_MS: '300' });
    after(() => app.close());
    const started = Date.now();
    const response = await app.inject({ method: 'GET', url: '/parameter?name=/test/apps/x' });
    const elapsed = Date.now() - started;
    assert.equal(response.statusCode, 504);
    assert.equal(response.json().main_version, 'main-v');
    assert.ok(elapsed >= 250 && elapsed < 2_000, `took ${elapsed} ms`);
  });
});

describe('when auxiliary-service stops in the middle of its answer', () => {
  it('answers 504 if the body stalls past UPSTREAM_TIMEOUT_MS, not 502 "not JSON"', async () => {
    const { createServer: createHttpServer } = await import('node:http');
    const stalling = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"buckets":[');
    });
    stalling.listen(0, '127.0.0.1');
    await once(stalling, 'listening');
    const { port } = stalling.address() as { port: number };
    after(() => {
      stalling.closeAllConnections();
      stalling.close();
    });

    const { app } = await mainApi(`http://127.0.0.1:${port}`, { UPSTREAM_TIMEOUT_MS: '300' });
    after(() => app.close());
    const response = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(response.statusCode, 504);
  });
});

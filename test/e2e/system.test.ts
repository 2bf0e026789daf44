// End to end over real HTTP: main-api → auxiliary-service → AWS emulator, every row of
// DESIGN.md §2, with the built bundles running as separate processes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../scripts/local/free-port';
import { startAuxiliary, startMainApi } from '../../scripts/local/services';
import { LOCAL_REGION, type Stack, startStack } from '../../scripts/local/stack';
import { CheckedFetch } from '../support/openapi-validator';

// Every response in this file, from either service, is checked against the OpenAPI document of
// the service that sent it (its /openapi.json): this module's fetch is the checking one.
const checked = new CheckedFetch();
const fetch = checked.fetch;

let stack: Stack;
const auxiliaryLog: string[] = [];

before(async () => {
  stack = await startStack({
    auxiliaryEnv: { VERSION: 'aux-e2e' },
    mainEnv: { VERSION: 'main-e2e' },
    onLine: (service, line) => {
      if (service === 'auxiliary-service') auxiliaryLog.push(line);
    },
  });
});
after(() => stack?.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.main.url}${path}`, { headers });

async function problem(response: Response) {
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  return (await response.json()) as Record<string, unknown>;
}

describe('through main-api', () => {
  it('serves the specification’s §8.4 examples', async () => {
    const parameter = await get('/parameter?name=/test/apps/config/env_name');
    assert.equal(
      await parameter.text(),
      '{"auxiliary_version":"aux-e2e","main_version":"main-e2e","name":"/test/apps/config/env_name","value":"test"}',
    );
    assert.equal(
      await (await get('/buckets')).text(),
      '{"auxiliary_version":"aux-e2e","buckets":["test-apps-main","test-apps-secondary"],"main_version":"main-e2e"}',
    );
    assert.deepEqual(await (await get('/parameters')).json(), {
      auxiliary_version: 'aux-e2e',
      main_version: 'main-e2e',
      parameters: [
        '/test/apps/config/env_name',
        '/test/apps/config/hotel',
        '/test/apps/config/locale',
        '/test/service_user/access_key_id',
        '/test/service_user/secret_access_key',
      ],
    });
  });

  it('reports health and readiness on both services', async () => {
    for (const url of [stack.main.url, stack.auxiliary.url]) {
      assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
      assert.deepEqual(await (await fetch(`${url}/readyz`)).json(), { status: 'ready' });
    }
  });

  const clientErrors: [string, string, number][] = [
    ['missing name', '/parameter', 400],
    ['invalid name', '/parameter?name=/test/apps/bad%20name', 400],
    ['service-user key', '/parameter?name=/test/service_user/secret_access_key', 403],
    ['other environment', '/parameter?name=/prod/apps/config/env_name', 403],
    ['no such parameter', '/parameter?name=/test/apps/config/missing', 404],
  ];
  for (const [what, path, status] of clientErrors) {
    it(`passes auxiliary-service's ${status} through for ${what}, with both versions`, async () => {
      const response = await get(path);
      assert.equal(response.status, status);
      const body = await problem(response);
      assert.equal(body.status, status);
      assert.equal(body.auxiliary_version, 'aux-e2e');
      assert.equal(body.main_version, 'main-e2e');
      assert.equal(typeof body.detail, 'string');
    });
  }

  it('answers unknown paths with 404 and other methods with 405', async () => {
    const missing = await get('/nope');
    assert.equal(missing.status, 404);
    assert.equal((await problem(missing)).main_version, 'main-e2e');
    const post = await fetch(`${stack.main.url}/parameters`, { method: 'DELETE' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('carries X-Request-Id to auxiliary-service and back, and both log it', async () => {
    const response = await get('/buckets', { 'x-request-id': 'e2e-trace-1' });
    assert.equal(response.headers.get('x-request-id'), 'e2e-trace-1');
    await response.arrayBuffer();
    // The access-log line is written after the answer; give the pipe a moment.
    const find = () =>
      auxiliaryLog
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .find((entry) => entry.requestId === 'e2e-trace-1');
    const deadline = Date.now() + 2_000;
    while (!find() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const logged = find();
    assert.equal(logged?.route, '/buckets');
  });

  it('never shows the service user secret anywhere in an answer', async () => {
    const secret = stack.seeded.serviceUserCredentials.secretAccessKey;
    for (const path of ['/parameters', '/parameter?name=/test/service_user/secret_access_key', '/buckets']) {
      assert.ok(!(await (await get(path)).text()).includes(secret), path);
    }
  });
});

/** A TCP server that accepts connections and never answers. */
async function blackHole(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('when a dependency fails', () => {
  const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

  it('502: main-api cannot reach auxiliary-service', async () => {
    const main = await startMainApi({
      auxiliaryUrl: `http://127.0.0.1:${await freePort()}`,
      env: { VERSION: 'm' },
    });
    after(() => main.stop());
    const response = await fetch(`${main.url}/buckets`);
    assert.equal(response.status, 502);
    assert.equal((await problem(response)).main_version, 'm');
  });

  it('503 with Retry-After: AWS refuses connections', async () => {
    const auxiliary = await startAuxiliary({
      awsEndpoint: `http://127.0.0.1:${await freePort()}`,
      region: LOCAL_REGION,
      credentials,
    });
    const main = await startMainApi({ auxiliaryUrl: auxiliary.url });
    after(async () => {
      await main.stop();
      await auxiliary.stop();
    });
    const response = await fetch(`${main.url}/parameter?name=/test/apps/config/hotel`);
    assert.equal(response.status, 503);
    assert.ok(Number(response.headers.get('retry-after')) > 0);
    const body = await problem(response);
    assert.ok(body.auxiliary_version && body.main_version);
    assert.equal((await fetch(`${auxiliary.url}/readyz`)).status, 503);
  });

  it('504: AWS accepts but never answers (auxiliary-service’s timeout reaches the client)', async () => {
    const hole = await blackHole();
    const auxiliary = await startAuxiliary({
      awsEndpoint: hole.url,
      region: LOCAL_REGION,
      credentials,
      env: { AWS_TIMEOUT_MS: '500' },
    });
    const main = await startMainApi({ auxiliaryUrl: auxiliary.url });
    after(async () => {
      await main.stop();
      await auxiliary.stop();
      hole.close();
    });
    const response = await fetch(`${main.url}/buckets`);
    assert.equal(response.status, 504);
    assert.equal((await problem(response)).auxiliary_version, 'dev');
  });

  it('504: auxiliary-service accepts but never answers (main-api’s own timeout)', async () => {
    const hole = await blackHole();
    const main = await startMainApi({ auxiliaryUrl: hole.url, env: { UPSTREAM_TIMEOUT_MS: '500' } });
    after(async () => {
      await main.stop();
      hole.close();
    });
    const started = Date.now();
    const response = await fetch(`${main.url}/parameters`);
    assert.equal(response.status, 504);
    assert.equal((await problem(response)).auxiliary_version, undefined);
    assert.ok(Date.now() - started < 3_000);
  });
});

describe('the OpenAPI documents', () => {
  it('held for every answer above, from both services', () => {
    // Each answer was checked as it arrived; this only proves the checks ran.
    assert.ok((checked.checked.get('main-api') ?? 0) >= 15, `main-api: ${checked.checked.get('main-api')}`);
    assert.ok((checked.checked.get('auxiliary-service') ?? 0) >= 3, 'auxiliary-service');
  });
});

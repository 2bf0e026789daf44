// SIGTERM during a rollout, under load, as Kubernetes does it: readiness turns 503 at once, the
// load balancer (here: the test, watching /readyz) stops sending new requests, the service keeps
// serving for SHUTDOWN_DELAY_MS, then closes and lets in-flight requests finish.
// Requests made slow on purpose (a 1.5 s delay upstream) are in flight when the server closes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FaultProxy } from '../support/fault-proxy';
import { startLoad } from '../support/load';
import {
  type Emulator,
  httpGet,
  type ServiceProcess,
  startAuxiliaryAt,
  startEmulator,
  startMainApiAt,
  stopAll,
  waitFor,
  waitForExit,
} from '../support/system';

const SHUTDOWN_DELAY_MS = 1_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const SLOW_MS = 1_500; // longer than the delay: these requests are in flight at close
const MARGIN_MS = 2_000;
const DRAIN_ENV = {
  SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
  SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  LOG_LEVEL: 'warn',
};

/** Runs the whole rollout scenario against `service`; `slowProxy` sits between it and its upstream. */
async function drainUnderLoad(
  service: ServiceProcess,
  slowProxy: FaultProxy,
  loadPath: string,
  slowPaths: string[],
) {
  const load = startLoad(`${service.url}${loadPath}`);
  await waitFor('load running', () => load.responses >= 50);

  const t0 = performance.now();
  const servedBeforeSigterm = load.responses;
  service.child.kill('SIGTERM');
  const notReady = await waitFor(
    '/readyz 503 after SIGTERM',
    async () => (await httpGet(`${service.url}/readyz`)).status === 503,
    { timeoutMs: SHUTDOWN_DELAY_MS, intervalMs: 5 },
  );
  load.stop(); // the load balancer has taken the endpoint out

  await slowProxy.setMode({ kind: 'delay', ms: SLOW_MS });
  const slow = await Promise.all(slowPaths.map((path) => httpGet(`${service.url}${path}`)));
  const exit = await waitForExit(service, SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
  const exitMs = performance.now() - t0;
  const outcome = await load.result;
  await slowProxy.setMode({ kind: 'pass' });

  const servedInDrain = load.responses - servedBeforeSigterm;
  return { outcome, slow, exit, exitMs, notReadyMs: notReady.ms, total: load.responses, servedInDrain };
}

function assertClean(service: string, figures: Awaited<ReturnType<typeof drainUnderLoad>>) {
  const { outcome, slow, exit, exitMs, notReadyMs, total, servedInDrain } = figures;
  assert.equal(outcome.errors, 0, `${service}: load errors`);
  assert.equal(outcome.timeouts, 0, `${service}: load timeouts`);
  assert.equal(outcome.non2xx, 0, `${service}: non-2xx answers ${JSON.stringify(outcome.statusCodeStats)}`);
  for (const result of slow) {
    assert.equal(result.status, 200, `${service}: in-flight request: ${result.text}`);
    assert.ok(result.ms >= SLOW_MS - 100, 'the slow request really was in flight at close');
  }
  assert.ok(servedInDrain > 0, `${service}: requests were still served after SIGTERM`);
  assert.equal(exit.code, 0, `${service}: exit code`);
  assert.ok(exitMs >= SHUTDOWN_DELAY_MS, `${service}: kept serving for the delay (${Math.round(exitMs)} ms)`);
  assert.ok(
    exitMs <= SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + MARGIN_MS,
    `${service}: exited ${Math.round(exitMs)} ms after SIGTERM`,
  );
  console.log(
    `[measure] SIGTERM ${service}: /readyz 503 after ${Math.round(notReadyMs)} ms; ` +
      `${total} load requests (${servedInDrain} after SIGTERM), ${outcome.errors + outcome.non2xx + outcome.timeouts} failed; ` +
      `${slow.length} in-flight requests at close all 200; exit code ${exit.code} after ${Math.round(exitMs)} ms`,
  );
}

describe('graceful shutdown under load', () => {
  let emulator: Emulator;
  let awsProxy: FaultProxy;
  let auxProxy: FaultProxy | undefined;
  const started: ServiceProcess[] = [];

  before(async () => {
    emulator = await startEmulator();
    awsProxy = await FaultProxy.start(emulator.moto.port);
  });

  after(async () => {
    await stopAll(emulator, ...started);
    await awsProxy?.close();
    await auxProxy?.close();
  });

  test('auxiliary-service: zero failed requests, /readyz 503 during the drain, exits in time', async () => {
    const aux = await startAuxiliaryAt(awsProxy.url, emulator.seeded, DRAIN_ENV);
    started.push(aux);
    const figures = await drainUnderLoad(aux, awsProxy, '/parameter?name=/test/apps/config/hotel', [
      '/parameter?name=/test/apps/config/locale',
      '/parameter?name=/test/apps/config/env_name',
      '/parameters',
      '/buckets',
    ]);
    assertClean('auxiliary-service', figures);
  });

  test('main-api: zero failed requests, /readyz 503 during the drain, exits in time', async () => {
    const aux = await startAuxiliaryAt(emulator.moto.endpoint, emulator.seeded, { LOG_LEVEL: 'warn' });
    started.push(aux);
    auxProxy = await FaultProxy.start(aux.port);
    const main = await startMainApiAt(auxProxy.url, DRAIN_ENV);
    started.push(main);
    const figures = await drainUnderLoad(main, auxProxy, '/parameter?name=/test/apps/config/hotel', [
      '/parameter?name=/test/apps/config/locale',
      '/parameters',
      '/buckets',
    ]);
    assertClean('main-api', figures);
  });
});

// AWS faults between auxiliary-service and the emulator: refused, reset, hanging, cut mid-answer.
// Small budgets (AWS_TIMEOUT_MS=1000) because these tests are about the mechanism; the
// production defaults are proven in production-budgets.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FaultProxy } from '../support/fault-proxy';
import {
  type Emulator,
  httpGet,
  problemShapeError,
  type ServiceProcess,
  startAuxiliaryAt,
  startEmulator,
  stopAll,
  waitFor,
} from '../support/system';

const BUDGET_MS = 1_000;
const MARGIN_MS = 1_500; // a loaded 2-core machine
const READINESS_CACHE_MS = 200;
const HOTEL = '/test/apps/config/hotel';

describe('auxiliary-service when AWS fails', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  let aux: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    proxy = await FaultProxy.start(emulator.moto.port);
    aux = await startAuxiliaryAt(proxy.url, emulator.seeded, {
      AWS_TIMEOUT_MS: String(BUDGET_MS),
      READINESS_CACHE_MS: String(READINESS_CACHE_MS),
      // No cache and no stale-if-error: every request reaches AWS (stale serving has its own test).
      CACHE_PARAMETER_TTL_MS: '0',
      CACHE_LIST_TTL_MS: '0',
      CACHE_MAX_STALE_MS: '0',
      // The call budget out of the way too: these tests poll AWS far faster than it allows.
      AWS_CALL_RATE: '1000',
      AWS_CALL_BURST: '1000',
      LOG_LEVEL: 'warn',
    });
    await waitFor('aux ready', async () => (await httpGet(`${aux.url}/readyz`)).status === 200);
  });

  after(async () => {
    await stopAll(emulator, aux);
    await proxy?.close();
  });

  const parameter = () => httpGet(`${aux.url}/parameter?name=${HOTEL}`);

  async function assertHealthyAndRecovers(fault: string) {
    const health = await httpGet(`${aux.url}/healthz`);
    assert.equal(health.status, 200, `${fault}: /healthz must stay 200`);
    assert.ok(health.ms < 500, `${fault}: /healthz took ${health.ms} ms`);
    // Once SSM has answered, an outage keeps the pod in its Service (readiness.ts): /readyz stays
    // 200 while the readiness check reports SSM unreachable.
    const unreachable = await waitFor(
      `${fault}: ssm_reachable 0`,
      async () => {
        const probe = await httpGet(`${aux.url}/readyz`); // the check runs when a probe asks
        assert.equal(probe.status, 200, `${fault}: /readyz stays 200`);
        return /^ssm_reachable\{[^}]*\} 0$/m.test((await httpGet(`${aux.url}/metrics`)).text);
      },
      { timeoutMs: READINESS_CACHE_MS + BUDGET_MS + MARGIN_MS + 1_000, intervalMs: 50 },
    );
    assert.equal((await httpGet(`${aux.url}/readyz`)).status, 200, `${fault}: /readyz stays 200`);
    const baseline = proxy.stats();

    await proxy.setMode({ kind: 'pass' });
    const recovered = await waitFor(
      `${fault}: GET /parameter 200 again`,
      async () => (await parameter()).status === 200,
      { timeoutMs: BUDGET_MS + MARGIN_MS + 2_000 },
    );
    const reachable = await waitFor(
      `${fault}: ssm_reachable 1 again`,
      async () => {
        await httpGet(`${aux.url}/readyz`); // the check runs when a probe asks
        return /^ssm_reachable\{[^}]*\} 1$/m.test((await httpGet(`${aux.url}/metrics`)).text);
      },
      { timeoutMs: READINESS_CACHE_MS + BUDGET_MS + MARGIN_MS },
    );
    assert.equal(aux.child.exitCode, null, 'no restart: the same process recovers');
    return {
      unreachableMs: unreachable.ms,
      recoverMs: recovered.ms,
      reachableAgainMs: reachable.ms,
      baseline,
    };
  }

  test('AWS refuses connections: 503 problem+json with Retry-After within the budget, then recovers', async () => {
    await proxy.setMode({ kind: 'refuse' });
    for (const path of [`/parameter?name=${HOTEL}`, '/parameters', '/buckets']) {
      const result = await httpGet(`${aux.url}${path}`);
      assert.equal(result.status, 503, `${path}: ${result.text}`);
      assert.equal(problemShapeError(result, ['auxiliary_version']), undefined);
      assert.ok(Number(result.headers['retry-after']) > 0, 'Retry-After present');
      assert.ok(result.ms <= BUDGET_MS + MARGIN_MS, `${path} answered in ${Math.round(result.ms)} ms`);
      console.log(`[measure] AWS refused → aux ${path} ${result.status} in ${Math.round(result.ms)} ms`);
    }
    const figures = await assertHealthyAndRecovers('refused');
    console.log(
      `[measure] AWS refused: ssm_reachable 0 after ${Math.round(figures.unreachableMs)} ms (/readyz stays 200); recovered ${Math.round(figures.recoverMs)} ms after AWS came back`,
    );
  });

  test('AWS resets connections: 503 within the budget, then recovers', async () => {
    await proxy.setMode({ kind: 'reset' });
    const result = await parameter();
    assert.equal(result.status, 503, result.text);
    assert.equal(problemShapeError(result, ['auxiliary_version']), undefined);
    assert.ok(result.ms <= BUDGET_MS + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    console.log(`[measure] AWS resets → aux 503 in ${Math.round(result.ms)} ms`);
    await assertHealthyAndRecovers('reset');
  });

  test('AWS hangs: 504 problem+json when the budget is spent, /healthz stays fast, then recovers', async () => {
    await proxy.setMode({ kind: 'hang' });
    const [value, list] = await Promise.all([parameter(), httpGet(`${aux.url}/parameters`)]);
    for (const result of [value, list]) {
      assert.equal(result.status, 504, result.text);
      assert.equal(problemShapeError(result, ['auxiliary_version']), undefined);
      assert.ok(result.ms >= BUDGET_MS - 100, `not before the budget: ${Math.round(result.ms)} ms`);
      assert.ok(result.ms <= BUDGET_MS + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    }
    console.log(`[measure] AWS hangs → aux 504 in ${Math.round(value.ms)} ms (budget ${BUDGET_MS} ms)`);
    const figures = await assertHealthyAndRecovers('hang');
    console.log(
      `[measure] AWS hang: ssm_reachable 0 after ${Math.round(figures.unreachableMs)} ms (/readyz stays 200); recovered ${Math.round(figures.recoverMs)} ms after AWS came back`,
    );
    // The hung attempts were aborted, not left open: nothing is pinned at the proxy.
    await proxy.waitForOpen((open) => open <= figures.baseline.open);
  });

  test('AWS cuts its answer mid-stream: a 5xx problem within the budget (no hang, no crash), then recovers', async () => {
    await proxy.setMode({ kind: 'drop', afterBytes: 40 });
    const result = await parameter();
    assert.ok([502, 503, 504].includes(result.status), `${result.status}: ${result.text}`);
    assert.equal(problemShapeError(result, ['auxiliary_version']), undefined);
    assert.ok(result.ms <= BUDGET_MS + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    console.log(`[measure] AWS cuts answer → aux ${result.status} in ${Math.round(result.ms)} ms`);
    await assertHealthyAndRecovers('drop');
  });
});

describe('auxiliary-service with its cache on (defaults) when AWS fails', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  let aux: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    proxy = await FaultProxy.start(emulator.moto.port);
    aux = await startAuxiliaryAt(proxy.url, emulator.seeded, {
      AWS_TIMEOUT_MS: String(BUDGET_MS),
      CACHE_PARAMETER_TTL_MS: '100',
      LOG_LEVEL: 'warn',
    });
  });

  after(async () => {
    await stopAll(emulator, aux);
    await proxy?.close();
  });

  test('a value read before the outage is served stale (200, X-Cache: stale) while AWS is down', async () => {
    const fresh = await httpGet(`${aux.url}/parameter?name=${HOTEL}`);
    assert.equal(fresh.status, 200, fresh.text);
    await proxy.setMode({ kind: 'refuse' });
    // Past the 100 ms TTL the reload fails; the old value is served, marked stale.
    const { value: stale } = await waitFor('a stale answer', async () => {
      const result = await httpGet(`${aux.url}/parameter?name=${HOTEL}`);
      return result.headers['x-cache'] === 'stale' ? result : undefined;
    });
    assert.equal(stale.status, 200);
    assert.equal(stale.body?.value, 'grand-budapest');
    // A value never read before has nothing to fall back on.
    const missing = await httpGet(`${aux.url}/parameter?name=/test/apps/config/locale`);
    assert.equal(missing.status, 503, missing.text);
    await proxy.setMode({ kind: 'pass' });
    await waitFor('fresh again', async () => {
      const result = await httpGet(`${aux.url}/parameter?name=${HOTEL}`);
      return result.status === 200 && result.headers['x-cache'] === undefined;
    });
  });
});

// Faults between main-api and auxiliary-service: refused, hanging, killed, cut mid-answer.
// UPSTREAM_TIMEOUT_MS=1500 because these tests are about the mechanism; the production
// default (5 s) is proven in production-budgets.test.ts.
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
  startMainApiAt,
  stopAll,
  waitFor,
} from '../support/system';

const UPSTREAM_TIMEOUT_MS = 1_500;
const MARGIN_MS = 1_500;
const HOTEL = '/test/apps/config/hotel';

describe('main-api when auxiliary-service fails', () => {
  let emulator: Emulator;
  let aux: ServiceProcess;
  let proxy: FaultProxy;
  let main: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    aux = await startAuxiliaryAt(emulator.moto.endpoint, emulator.seeded, { LOG_LEVEL: 'warn' });
    proxy = await FaultProxy.start(aux.port);
    main = await startMainApiAt(proxy.url, {
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      LOG_LEVEL: 'warn',
    });
  });

  after(async () => {
    await stopAll(emulator, aux, main);
    await proxy?.close();
  });

  const parameter = () => httpGet(`${main.url}/parameter?name=${HOTEL}`);

  async function assertRecovers(fault: string): Promise<number> {
    const health = await httpGet(`${main.url}/healthz`);
    assert.equal(health.status, 200, `${fault}: /healthz must stay 200`);
    // main-api's readiness does not follow its dependency (a dead aux must not empty every main pod).
    assert.equal((await httpGet(`${main.url}/readyz`)).status, 200, `${fault}: /readyz stays 200`);
    await proxy.setMode({ kind: 'pass' });
    const { ms } = await waitFor(
      `${fault}: main-api answers 200 again`,
      async () => (await parameter()).status === 200,
      { timeoutMs: UPSTREAM_TIMEOUT_MS + MARGIN_MS },
    );
    assert.equal(main.child.exitCode, null, 'no restart: the same process recovers');
    // The pool holds no more connections than it may.
    assert.ok(proxy.stats().open <= 64, `open connections to aux: ${proxy.stats().open}`);
    return ms;
  }

  test('aux refuses connections: 502 problem+json at once, then recovers', async () => {
    assert.equal((await parameter()).status, 200);
    await proxy.setMode({ kind: 'refuse' });
    const result = await parameter();
    assert.equal(result.status, 502, result.text);
    assert.equal(problemShapeError(result, ['main_version']), undefined);
    assert.ok(result.ms <= 1_000 + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    const recoverMs = await assertRecovers('refused');
    console.log(
      `[measure] aux refused → main 502 in ${Math.round(result.ms)} ms; recovered ${Math.round(recoverMs)} ms after aux came back`,
    );
  });

  test('aux hangs: 504 problem+json when UPSTREAM_TIMEOUT_MS is spent, then recovers', async () => {
    await proxy.setMode({ kind: 'hang' });
    const [value, list] = await Promise.all([parameter(), httpGet(`${main.url}/buckets`)]);
    for (const result of [value, list]) {
      assert.equal(result.status, 504, result.text);
      assert.equal(problemShapeError(result, ['main_version']), undefined);
      assert.ok(
        result.ms >= UPSTREAM_TIMEOUT_MS - 100,
        `not before the timeout: ${Math.round(result.ms)} ms`,
      );
      assert.ok(result.ms <= UPSTREAM_TIMEOUT_MS + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    }
    const recoverMs = await assertRecovers('hang');
    console.log(
      `[measure] aux hangs → main 504 in ${Math.round(value.ms)} ms (timeout ${UPSTREAM_TIMEOUT_MS} ms); recovered ${Math.round(recoverMs)} ms after`,
    );
  });

  test('aux cuts its answer mid-stream: 502 problem+json at once, then recovers', async () => {
    await proxy.setMode({ kind: 'drop', afterBytes: 60 });
    const result = await parameter();
    assert.equal(result.status, 502, result.text);
    assert.equal(problemShapeError(result, ['main_version']), undefined);
    assert.ok(result.ms <= 1_000 + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    const recoverMs = await assertRecovers('drop');
    console.log(
      `[measure] aux cuts answer → main 502 in ${Math.round(result.ms)} ms; recovered ${Math.round(recoverMs)} ms after`,
    );
  });

  test('aux process dies and a new one starts elsewhere: 502, then recovers without restarting main-api', async () => {
    assert.equal((await parameter()).status, 200);
    await aux.stop();
    const down = await parameter();
    assert.equal(down.status, 502, down.text);
    assert.equal(problemShapeError(down, ['main_version']), undefined);
    const started = performance.now();
    aux = await startAuxiliaryAt(emulator.moto.endpoint, emulator.seeded, { LOG_LEVEL: 'warn' });
    proxy.setTarget(aux.port);
    await waitFor('main-api answers 200 again', async () => (await parameter()).status === 200);
    console.log(
      `[measure] aux killed → main 502 in ${Math.round(down.ms)} ms; 200 again ${Math.round(performance.now() - started)} ms after a new aux was started`,
    );
    assert.equal(main.child.exitCode, null);
  });
});

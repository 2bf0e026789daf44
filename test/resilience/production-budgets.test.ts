// The production timeouts, unchanged (AWS_TIMEOUT_MS=3000, UPSTREAM_TIMEOUT_MS=5000):
//   main-api → proxy → auxiliary-service → proxy → emulator
// A hanging AWS is answered by auxiliary-service's 504 in ≤ 3 s, which reaches the client
// through main-api before main-api's own 5 s; a hanging auxiliary-service costs ≤ 5 s.
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

const AWS_BUDGET_MS = 3_000;
const UPSTREAM_TIMEOUT_MS = 5_000;
const MARGIN_MS = 1_500;

describe('production time budgets (defaults)', () => {
  let emulator: Emulator;
  let awsProxy: FaultProxy;
  let auxProxy: FaultProxy;
  let aux: ServiceProcess;
  let main: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    awsProxy = await FaultProxy.start(emulator.moto.port);
    aux = await startAuxiliaryAt(awsProxy.url, emulator.seeded, { LOG_LEVEL: 'warn' });
    auxProxy = await FaultProxy.start(aux.port);
    main = await startMainApiAt(auxProxy.url, { LOG_LEVEL: 'warn' });
  });

  after(async () => {
    await stopAll(emulator, aux, main);
    await awsProxy?.close();
    await auxProxy?.close();
  });

  test('AWS hangs: the client gets auxiliary-service’s 504 through main-api in ≤ 3 s', async () => {
    await awsProxy.setMode({ kind: 'hang' });
    // Names never read before: the cache (on by default) has nothing stale to serve.
    const [viaMain, direct] = await Promise.all([
      httpGet(`${main.url}/parameter?name=/test/apps/config/locale`),
      httpGet(`${aux.url}/parameter?name=/test/apps/config/env_name`),
    ]);
    for (const [result, fields] of [
      [viaMain, ['main_version', 'auxiliary_version']],
      [direct, ['auxiliary_version']],
    ] as const) {
      assert.equal(result.status, 504, result.text);
      assert.equal(problemShapeError(result, fields), undefined);
      assert.ok(result.ms >= AWS_BUDGET_MS - 100, `not before the budget: ${Math.round(result.ms)} ms`);
      assert.ok(result.ms <= AWS_BUDGET_MS + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    }
    assert.match(String(viaMain.body?.detail), /AWS did not answer/, 'aux’s 504, not main-api’s own');
    console.log(
      `[measure] defaults, AWS hangs → aux 504 in ${Math.round(direct.ms)} ms, via main ${Math.round(viaMain.ms)} ms`,
    );

    await awsProxy.setMode({ kind: 'pass' });
    const { ms } = await waitFor(
      'recovery',
      async () => (await httpGet(`${main.url}/parameter?name=/test/apps/config/locale`)).status === 200,
    );
    console.log(`[measure] defaults, AWS back → 200 through main ${Math.round(ms)} ms later`);
  });

  test('auxiliary-service hangs: main-api answers its own 504 in ≤ 5 s', async () => {
    await auxProxy.setMode({ kind: 'hang' });
    const result = await httpGet(`${main.url}/parameters`);
    assert.equal(result.status, 504, result.text);
    assert.equal(problemShapeError(result, ['main_version']), undefined);
    assert.equal(result.body?.auxiliary_version, undefined, 'main-api’s own 504');
    assert.ok(result.ms >= UPSTREAM_TIMEOUT_MS - 100, `not before the timeout: ${Math.round(result.ms)} ms`);
    assert.ok(result.ms <= UPSTREAM_TIMEOUT_MS + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    console.log(`[measure] defaults, aux hangs → main 504 in ${Math.round(result.ms)} ms`);

    await auxProxy.setMode({ kind: 'pass' });
    const { ms } = await waitFor(
      'recovery',
      async () => (await httpGet(`${main.url}/parameters`)).status === 200,
    );
    console.log(`[measure] defaults, aux back → 200 ${Math.round(ms)} ms later`);
  });
});

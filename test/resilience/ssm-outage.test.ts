// An SSM outage seen through both services, with the production cache and readiness semantics:
// auxiliary-service stays in rotation (/readyz 200 once SSM has answered), cached values are
// served stale, names never read get a fast 503 with Retry-After (not main-api's 502
// "unreachable"), /buckets keeps working because S3 is fine, and everything recovers by itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
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

const TTL_MS = 300;
const READINESS_CACHE_MS = 200;

describe('SSM outage through main-api', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  let aux: ServiceProcess;
  let main: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    proxy = await FaultProxy.start(emulator.moto.port);
    aux = await startAuxiliaryAt(proxy.url, emulator.seeded, {
      CACHE_PARAMETER_TTL_MS: String(TTL_MS),
      READINESS_CACHE_MS: String(READINESS_CACHE_MS),
      AWS_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    main = await startMainApiAt(aux.url, { LOG_LEVEL: 'warn' });
    await waitFor('aux ready', async () => (await httpGet(`${aux.url}/readyz`)).status === 200);
  });
  after(async () => {
    await stopAll(emulator, aux, main);
    await proxy?.close();
  });

  test('pods stay in rotation, stale values and fast 503s, recovery', async () => {
    const hotel = `${main.url}/parameter?name=/test/apps/config/hotel`;
    assert.equal((await httpGet(hotel)).status, 200, 'warm the cache');
    assert.equal((await httpGet(`${main.url}/buckets`)).status, 200);

    // AWS unreachable for SSM and S3 alike (one endpoint); S3's list is cached for 30 s.
    await proxy.setMode({ kind: 'refuse' });
    await sleep(TTL_MS + 50);

    const stale = await httpGet(hotel);
    assert.equal(stale.status, 200, stale.text);
    assert.equal(stale.headers['x-cache'], 'stale');
    assert.equal(stale.body?.value, 'grand-budapest');

    const neverRead = await httpGet(`${main.url}/parameter?name=/test/apps/config/locale`);
    assert.equal(neverRead.status, 503, neverRead.text);
    assert.equal(problemShapeError(neverRead, ['auxiliary_version', 'main_version']), undefined);
    assert.ok(Number(neverRead.headers['retry-after']) > 0);
    assert.ok(neverRead.ms < 1_500, `answered in ${Math.round(neverRead.ms)} ms`);
    assert.equal((await httpGet(`${main.url}/buckets`)).status, 200, '/buckets from its cache');

    for (let probe = 0; probe < 5; probe++) {
      assert.equal((await httpGet(`${aux.url}/readyz`)).status, 200, 'auxiliary-service stays ready');
      await sleep(READINESS_CACHE_MS);
    }
    assert.match((await httpGet(`${aux.url}/metrics`)).text, /^ssm_reachable\{[^}]*\} 0$/m);

    await proxy.setMode({ kind: 'pass' });
    const fresh = await waitFor('fresh value again', async () => {
      const answer = await httpGet(hotel);
      return answer.status === 200 && answer.headers['x-cache'] === undefined;
    });
    const locale = await waitFor('never-read name readable', async () => {
      const answer = await httpGet(`${main.url}/parameter?name=/test/apps/config/locale`);
      return answer.status === 200;
    });
    console.log(
      `[measure] SSM outage: stale 200 and 503 in ${Math.round(neverRead.ms)} ms, /readyz 200 throughout; fresh again ${Math.round(fresh.ms)} ms, new reads ${Math.round(locale.ms)} ms after AWS came back`,
    );
  });
});

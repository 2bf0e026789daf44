// The SSM quota guard, end to end: a flood of distinct names that pass validation but do not
// exist, sent to main-api for 10 s (bounded, loopback), against the real emulator. The SSM
// calls are counted outside auxiliary-service, by a proxy in front of the emulator.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CountingProxy } from '../support/counting-proxy';
import {
  type Emulator,
  httpGet,
  LOCAL_REGION,
  problemShapeError,
  type ServiceProcess,
  startAuxiliaryAt,
  startEmulator,
  startMainApiAt,
  stopAll,
} from '../support/system';

const FLOOD_MS = 10_000;
const FLOOD_NAMES = 2_000;
// On a slow or busy machine the flood goes on past 10 s until 2 000 names were sent (more
// listings may then fall in it, still far below the bound).
const FLOOD_CAP_MS = 30_000;
const WORKERS = 64;
const REFRESH_MS = 5_000;
const KNOWN = '/test/apps/config/env_name';
const LATE = '/test/apps/late/created_during_the_flood';

describe('a flood of unknown parameter names', () => {
  let emulator: Emulator;
  let ssmProxy: CountingProxy;
  let aux: ServiceProcess;
  let main: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    ssmProxy = await CountingProxy.start(emulator.moto.port);
    aux = await startAuxiliaryAt(ssmProxy.url, emulator.seeded, {
      LOG_LEVEL: 'warn',
      PARAMETER_LIST_REFRESH_MS: String(REFRESH_MS),
    });
    main = await startMainApiAt(aux.url, { LOG_LEVEL: 'warn' });
  });
  after(async () => {
    await stopAll(emulator, aux, main);
    await ssmProxy?.close();
  });

  test('costs a bounded number of SSM calls; known names keep answering; new names appear in time', async () => {
    assert.equal((await httpGet(`${main.url}/parameter?name=${KNOWN}`)).status, 200, 'warm');
    ssmProxy.reset();

    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const unknown: Record<number, number> = {};
    const known: Record<number, number> = {};
    let sequence = 0;

    const flooding = () => elapsed() < FLOOD_CAP_MS && (elapsed() < FLOOD_MS || sequence < FLOOD_NAMES);
    const flood = async () => {
      while (flooding()) {
        const name = `/test/apps/flood/n${sequence++}-${Math.random().toString(36).slice(2, 10)}`;
        // Keep-alive connections (fetch), as a real client flooding the API would use.
        const answer = await fetch(`${main.url}/parameter?name=${encodeURIComponent(name)}`);
        await answer.arrayBuffer();
        unknown[answer.status] = (unknown[answer.status] ?? 0) + 1;
      }
    };
    const watchKnown = async () => {
      while (flooding()) {
        const { status } = await httpGet(`${main.url}/parameter?name=${KNOWN}`);
        known[status] = (known[status] ?? 0) + 1;
        await sleep(100);
      }
    };
    let lateReadableAfterMs: number | undefined;
    const createLate = async () => {
      await sleep(2_000);
      const admin = new SSMClient({
        endpoint: emulator.moto.endpoint,
        region: LOCAL_REGION,
        credentials: emulator.seeded.serviceUserCredentials,
      });
      await admin.send(new PutParameterCommand({ Name: LATE, Value: 'late', Type: 'String' }));
      admin.destroy();
      const createdAt = elapsed();
      while (elapsed() < FLOOD_MS + REFRESH_MS) {
        const answer = await httpGet(`${main.url}/parameter?name=${LATE}`);
        if (answer.status === 200) {
          assert.equal(answer.body?.value, 'late');
          lateReadableAfterMs = elapsed() - createdAt;
          return;
        }
        await sleep(100);
      }
    };

    await Promise.all([...Array.from({ length: WORKERS }, flood), watchKnown(), createLate()]);
    const calls = ssmProxy.counts();
    const figures = {
      unknownRequests: sequence,
      seconds: Math.round(elapsed() / 100) / 10,
      unknown,
      known,
      ssmCalls: calls,
      lateReadableAfterMs,
    };
    console.log(`flood figures: ${JSON.stringify(figures)}`);

    assert.ok(sequence >= FLOOD_NAMES, `${sequence} distinct unknown names sent`);
    assert.deepEqual(
      Object.keys(unknown).filter((status) => !['404', '429', '503'].includes(status)),
      [],
      'an unknown name gets a clear 404 (or 503/429 if shed)',
    );
    assert.ok((unknown[404] ?? 0) > 0);
    assert.deepEqual(Object.keys(known), ['200'], 'known names answer 200 throughout');
    assert.ok(ssmProxy.total() <= 20, `SSM calls during the flood: ${JSON.stringify(calls)}`);
    assert.ok(
      (calls.GetParameter ?? 0) <= 6,
      'GetParameter only for the real names (the known one once per 5 s TTL, the late one)',
    );
    assert.ok(lateReadableAfterMs !== undefined, 'a parameter created during the flood becomes readable');
    assert.ok(
      lateReadableAfterMs <= REFRESH_MS + 1_000,
      `readable after ${Math.round(lateReadableAfterMs)} ms`,
    );
  });
  test('a burst of distinct real names spends the call budget: 503 with Retry-After at once, no SSM call beyond it', async () => {
    const admin = new SSMClient({
      endpoint: emulator.moto.endpoint,
      region: LOCAL_REGION,
      credentials: emulator.seeded.serviceUserCredentials,
    });
    const names = Array.from({ length: 30 }, (_, i) => `/test/apps/many/p${String(i).padStart(2, '0')}`);
    for (const Name of names)
      await admin.send(new PutParameterCommand({ Name, Value: Name, Type: 'String' }));
    admin.destroy();
    await sleep(REFRESH_MS + 1_000); // the budget refills; the next listing may see the new names
    ssmProxy.reset();

    const answers = await Promise.all(names.map((name) => httpGet(`${main.url}/parameter?name=${name}`)));
    const statuses: Record<number, number> = {};
    for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const refused = answers.filter((answer) => answer.status === 503);
    const calls = ssmProxy.counts();
    console.log(
      `budget figures: ${JSON.stringify({ statuses, ssmCalls: calls, slowest503Ms: Math.round(Math.max(...refused.map((answer) => answer.ms))) })}`,
    );

    assert.deepEqual(Object.keys(statuses).sort(), ['200', '503'], JSON.stringify(statuses));
    for (const answer of refused) {
      assert.equal(problemShapeError(answer, ['auxiliary_version', 'main_version']), undefined);
      assert.match(String(answer.body?.detail), /call budget/);
      assert.ok(Number(answer.headers['retry-after']) >= 1);
    }
    assert.ok(ssmProxy.total() <= 10, `SSM calls for 30 names: ${JSON.stringify(calls)}`);
    assert.equal(
      (await httpGet(`${main.url}/parameter?name=${KNOWN}`)).status,
      200,
      'cached names still answer',
    );
  });
});

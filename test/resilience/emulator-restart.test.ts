// The AWS emulator is killed and a new one started while auxiliary-service is under steady
// load: no crash, only 503/504 while it is gone, 200 again afterwards, and no leaked sockets
// (connection counts at the proxy and the service's own socket count back to baseline).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultProxy } from '../support/fault-proxy';
import {
  type Emulator,
  httpGet,
  type ServiceProcess,
  socketCount,
  startAuxiliaryAt,
  startEmulator,
  stopAll,
  waitFor,
} from '../support/system';

const CONCURRENCY = 4;

describe('emulator restart mid-run', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  let aux: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    proxy = await FaultProxy.start(emulator.moto.port);
    aux = await startAuxiliaryAt(proxy.url, emulator.seeded, {
      AWS_TIMEOUT_MS: '1000',
      CACHE_PARAMETER_TTL_MS: '0',
      CACHE_LIST_TTL_MS: '0',
      CACHE_MAX_STALE_MS: '0',
      // Every request reaches AWS, far faster than the default call budget allows.
      AWS_CALL_RATE: '1000',
      AWS_CALL_BURST: '1000',
      LOG_LEVEL: 'warn',
    });
  });

  after(async () => {
    await stopAll(emulator, aux);
    await proxy?.close();
  });

  test('no crash, errors only while it is down, recovery, connection counts back to baseline', async () => {
    const statuses = new Map<number, number>();
    let running = true;
    const worker = async () => {
      while (running) {
        const result = await httpGet(`${aux.url}/parameter?name=/test/apps/config/hotel`);
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        await sleep(10); // pacing: a steady load, not a busy loop on a 2-core machine
      }
    };

    // Baseline under the same load, before the restart.
    const workers = Array.from({ length: CONCURRENCY }, worker);
    let baseline = { proxy: 0, sockets: undefined as number | undefined };
    try {
      await waitFor('20 answers', () => (statuses.get(200) ?? 0) >= 20);
      baseline = { proxy: proxy.stats().open, sockets: socketCount(aux.child.pid) };

      await emulator.stop();
      await waitFor('an error answer while the emulator is down', () =>
        [...statuses.keys()].some((status) => status >= 500),
      );
      const restartStarted = performance.now();
      emulator = await startEmulator();
      proxy.setTarget(emulator.moto.port);
      const okBefore = statuses.get(200) ?? 0;
      const { ms } = await waitFor('200 again', () => (statuses.get(200) ?? 0) >= okBefore + 20, {
        timeoutMs: 20_000,
      });
      console.log(
        `[measure] emulator restart: 200 again ${Math.round(performance.now() - restartStarted)} ms after the new emulator was started (${Math.round(ms)} ms after it was seeded)`,
      );
    } finally {
      running = false;
      await Promise.allSettled(workers);
    }

    assert.equal(aux.child.exitCode, null, 'auxiliary-service did not crash');
    assert.equal((await httpGet(`${aux.url}/healthz`)).status, 200);
    for (const status of statuses.keys()) {
      assert.ok(
        [200, 503, 504].includes(status),
        `unexpected status ${status}: ${JSON.stringify([...statuses])}`,
      );
    }
    // Keep-alive connections to AWS are reused, not piled up: at most one per concurrent request.
    const after = { proxy: proxy.stats().open, sockets: socketCount(aux.child.pid) };
    assert.ok(
      after.proxy <= Math.max(baseline.proxy, CONCURRENCY),
      `proxy connections ${JSON.stringify({ baseline, after })}`,
    );
    assert.equal(proxy.stats().upstreamOpen <= after.proxy, true, 'no orphaned upstream connections');
    if (baseline.sockets !== undefined && after.sockets !== undefined) {
      assert.ok(
        after.sockets <= baseline.sockets + CONCURRENCY,
        `aux sockets ${JSON.stringify({ baseline, after })}`,
      );
    }
    console.log(
      `[measure] emulator restart: statuses ${JSON.stringify(Object.fromEntries(statuses))}; connections before ${baseline.proxy}, after ${after.proxy}; aux sockets before ${baseline.sockets}, after ${after.sockets}`,
    );
  });
});

// SSM throttles every call (HTTP 400 {"__type":"ThrottlingException"} from the fault proxy, as
// SSM answers): the real SDK retries a bounded number of times with jittered backoff, then
// auxiliary-service answers 503 with Retry-After. No emulator is needed: nothing gets through.
// The first call a /parameter request needs is the listing of the prefix (known-names.ts), so
// that is the call being throttled here; concurrent requests share it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FaultProxy, SSM_THROTTLING } from '../support/fault-proxy';
import {
  httpGet,
  problemShapeError,
  type ServiceProcess,
  startAuxiliaryAt,
  stopAll,
} from '../support/system';

const CREDENTIALS = {
  environment: 'test',
  serviceUserCredentials: {
    accessKeyId: 'AKIAFAKEFAKEFAKEFAKE',
    secretAccessKey: 'fake-secret-for-throttling',
  },
};
const BUDGET_MS = 3_000; // the default operation budget
const MARGIN_MS = 1_500;

async function attemptsMetric(url: string, operation: string): Promise<number> {
  const metrics = await httpGet(`${url}/metrics`);
  const line = metrics.text
    .split('\n')
    .find((l) => l.startsWith('aws_request_attempts_total') && l.includes(`operation="${operation}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('auxiliary-service when SSM throttles', () => {
  let proxy: FaultProxy;
  let aux: ServiceProcess;
  let single: ServiceProcess;

  before(async () => {
    // The target port is never used: every request is answered by the proxy itself.
    proxy = await FaultProxy.start(1);
    await proxy.setMode({ kind: 'respond', response: SSM_THROTTLING });
    const env = { CACHE_PARAMETER_TTL_MS: '0', CACHE_MAX_STALE_MS: '0', LOG_LEVEL: 'warn' };
    aux = await startAuxiliaryAt(proxy.url, CREDENTIALS, env);
    single = await startAuxiliaryAt(proxy.url, CREDENTIALS, { ...env, AWS_MAX_ATTEMPTS: '1' });
  });

  after(async () => {
    await stopAll(aux, single);
    await proxy?.close();
  });

  test('one request: exactly AWS_MAX_ATTEMPTS (3) attempts, then 503 + Retry-After within the budget', async () => {
    const before = proxy.stats().answered;
    const result = await httpGet(`${aux.url}/parameter?name=/test/apps/config/hotel`);
    assert.equal(result.status, 503, result.text);
    assert.equal(problemShapeError(result, ['auxiliary_version']), undefined);
    assert.match(String(result.body?.detail), /throttling/);
    assert.ok(Number(result.headers['retry-after']) >= 1, 'Retry-After present');
    assert.ok(result.ms <= BUDGET_MS + MARGIN_MS, `answered in ${Math.round(result.ms)} ms`);
    assert.equal(proxy.stats().answered - before, 3, 'attempts that reached SSM');
    assert.equal(await attemptsMetric(aux.url, 'DescribeParameters'), 3, 'aws_request_attempts_total');
    assert.equal(await attemptsMetric(aux.url, 'GetParameter'), 0, 'no value is read for an unlisted name');
    console.log(`[measure] SSM throttling → aux 503 after 3 attempts in ${Math.round(result.ms)} ms`);
  });

  test('AWS_MAX_ATTEMPTS=1: a single attempt, 503 at once', async () => {
    const before = proxy.stats().answered;
    const result = await httpGet(`${single.url}/parameter?name=/test/apps/config/hotel`);
    assert.equal(result.status, 503, result.text);
    assert.equal(proxy.stats().answered - before, 1);
    assert.ok(result.ms <= 1_000, `answered in ${Math.round(result.ms)} ms`);
  });

  test('a burst of 20 requests: one throttled listing shared by all (no retry storm), all 503', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the failed listing's retry delay
    const before = proxy.stats().answered;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => httpGet(`${aux.url}/parameter?name=/test/apps/config/burst-${i}`)),
    );
    const elapsed = performance.now() - started;
    // The backoff fits inside the budget (services/auxiliary/src/aws/clients.ts): every
    // throttled request ends as 503 with Retry-After, never as a 504 at the budget.
    for (const result of results) {
      assert.equal(result.status, 503, result.text);
      assert.ok(result.headers['retry-after']);
    }
    const attempts = proxy.stats().answered - before;
    assert.ok(attempts >= 1 && attempts <= 3, `attempts for 20 requests: ${attempts}`);
    assert.ok(elapsed <= BUDGET_MS + MARGIN_MS, `burst answered in ${Math.round(elapsed)} ms`);
    console.log(
      `[measure] 20 throttled requests → ${attempts} attempts, all 503 in ${Math.round(elapsed)} ms`,
    );
  });
});

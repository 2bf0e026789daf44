// The caching target of issue 3, proven through the whole app without waiting: a burst of
// 50 concurrent requests costs one GetParameter per TTL, and 10 s of steady load at
// 50 connections with the default 5 s TTL costs at most 3. The clock is node:test's mock
// Date; only Date is mocked, so Fastify and the SDK mock keep their real timers.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { appWithMockedAws, mockListing } from '../helpers';

const URL = '/parameter?name=/test/apps/config/env_name';
const CONNECTIONS = 50;

/** The app with a GetParameter that takes a few real milliseconds, so concurrent misses overlap. */
async function appWithSlowParameter(overrides: Record<string, string> = {}) {
  const { app, ssmMock } = await appWithMockedAws(overrides);
  mockListing(ssmMock, ['/test/apps/config/env_name']);
  ssmMock.on(GetParameterCommand).callsFake(async () => {
    await sleep(5);
    return { Parameter: { Value: 'test' } };
  });
  return { app, getParameterCalls: () => ssmMock.commandCalls(GetParameterCommand).length };
}

type App = Awaited<ReturnType<typeof appWithSlowParameter>>['app'];

/** One wave: every connection sends one request at the same time; all must succeed. */
async function wave(app: App): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => app.inject({ method: 'GET', url: URL })),
  );
  for (const answer of answers) {
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.json().value, 'test');
    assert.equal(answer.headers['x-cache'], undefined);
  }
}

describe('GET /parameter under concurrent load (TTL and coalescing)', () => {
  // Created before the app, so that the cache's clock is the mock one.
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('50 concurrent requests with TTL 5 s make exactly one GetParameter, and one more after expiry', async () => {
    const { app, getParameterCalls } = await appWithSlowParameter({ CACHE_PARAMETER_TTL_MS: '5000' });
    try {
      await wave(app);
      assert.equal(getParameterCalls(), 1, 'concurrent misses share one call');

      mock.timers.tick(4_999);
      await wave(app);
      assert.equal(getParameterCalls(), 1, 'still fresh 1 ms before the TTL ends');

      mock.timers.tick(1);
      await wave(app);
      assert.equal(getParameterCalls(), 2, 'expired: exactly one reload for the 50 requests');
    } finally {
      await app.close();
    }
  });

  it('10 s of load at 50 connections with the default TTL (5 s) makes at most 3 GetParameter calls', async () => {
    const { app, getParameterCalls } = await appWithSlowParameter();
    try {
      // 100 waves 100 ms apart: 5 000 requests spread over 10 s of (mock) time.
      let requests = 0;
      for (let elapsed = 0; elapsed < 10_000; elapsed += 100) {
        await wave(app);
        requests += CONNECTIONS;
        mock.timers.tick(100);
      }
      assert.equal(requests, 5_000);
      assert.ok(getParameterCalls() <= 3, `${getParameterCalls()} GetParameter calls`);
      assert.equal(getParameterCalls(), 2, 'one at 0 s, one when the value expires at 5 s');
    } finally {
      await app.close();
    }
  });

  it('without the cache (TTL 0) every request is a GetParameter call', async () => {
    // A call budget out of the way: this case is about the cache alone.
    const { app, getParameterCalls } = await appWithSlowParameter({
      CACHE_PARAMETER_TTL_MS: '0',
      AWS_CALL_RATE: '1000',
      AWS_CALL_BURST: '1000',
    });
    try {
      for (let round = 0; round < 4; round++) await wave(app);
      assert.equal(getParameterCalls(), 4 * CONNECTIONS);
    } finally {
      await app.close();
    }
  });
});

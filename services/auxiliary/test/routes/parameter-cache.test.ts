import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DescribeParametersCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { appWithMockedAws, awsError, mockListing } from '../helpers';

const HOTEL = '/test/apps/config/hotel';
const url = (name: string) => `/parameter?name=${name}`;

/** The app on a mock clock (caches, listing interval, call budget), with HOTEL listed. */
async function appOnMockClock(overrides: Record<string, string> = {}) {
  let clock = 1_000_000;
  const aws = await appWithMockedAws(overrides, () => clock);
  after(() => aws.app.close());
  mockListing(aws.ssmMock, [HOTEL]);
  const calls = (command: 'GetParameter' | 'DescribeParameters') =>
    command === 'GetParameter'
      ? aws.ssmMock.commandCalls(GetParameterCommand).length
      : aws.ssmMock.commandCalls(DescribeParametersCommand).length;
  return { ...aws, calls, advance: (ms: number) => (clock += ms) };
}

describe('GET /parameter caching', () => {
  it('answers repeated requests from the cache and marks stale answers when AWS fails', async () => {
    const { app, ssmMock, advance } = await appOnMockClock({
      CACHE_PARAMETER_TTL_MS: '50',
      CACHE_MAX_STALE_MS: '60000',
    });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'cached' } });

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: url(HOTEL) })),
    );
    assert.ok(answers.every((answer) => answer.statusCode === 200 && answer.json().value === 'cached'));
    assert.equal(ssmMock.commandCalls(GetParameterCommand).length, 1);

    advance(60);
    ssmMock.on(GetParameterCommand).rejects(awsError('ThrottlingException'));
    const stale = await app.inject({ method: 'GET', url: url(HOTEL) });
    assert.equal(stale.statusCode, 200);
    assert.equal(stale.headers['x-cache'], 'stale');
    assert.equal(stale.json().value, 'cached');

    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const gone = await app.inject({ method: 'GET', url: url(HOTEL) });
    assert.equal(gone.statusCode, 404, 'a definite answer from AWS is not papered over with a stale value');
  });
});

describe('GET /parameter: the AWS call bound', () => {
  it('answers distinct unknown names with 404 and no GetParameter, listing at most once per interval', async () => {
    const { app, calls, advance } = await appOnMockClock({ PARAMETER_LIST_REFRESH_MS: '5000' });
    let requests = 0;
    // 10 s of mock time, 20 distinct unknown names every 100 ms: 2 000 names.
    for (let elapsed = 0; elapsed < 10_000; elapsed += 100) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          app.inject({ method: 'GET', url: url(`/test/apps/flood/${elapsed}-${i}`) }),
        ),
      );
      for (const answer of answers) {
        assert.equal(answer.statusCode, 404);
        assert.equal(answer.json().auxiliary_version, 'v-test');
      }
      requests += answers.length;
      advance(100);
    }
    assert.equal(requests, 2_000);
    assert.equal(calls('GetParameter'), 0);
    assert.equal(calls('DescribeParameters'), 2, 'at 0 s and at 5 s');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /parameter_name_checks_total\{result="unknown",service="auxiliary-service"\} 2000/);
    assert.match(metrics, /parameter_list_refreshes_total\{reason="unknown_name",outcome="success"[^}]*\} 1/);
  });

  it('lists only the allowed prefix, with SSM Path filter', async () => {
    const { app, ssmMock } = await appOnMockClock();
    await app.inject({ method: 'GET', url: url('/test/apps/anything') });
    const input = ssmMock.commandCalls(DescribeParametersCommand)[0]?.args[0].input;
    assert.deepEqual(input?.ParameterFilters, [{ Key: 'Path', Option: 'Recursive', Values: ['/test/apps'] }]);
  });

  it('serves a stale value, then 503 with Retry-After, when the call budget is spent', async () => {
    const { app, ssmMock, calls, advance } = await appOnMockClock({
      AWS_CALL_RATE: '0.5',
      AWS_CALL_BURST: '4',
      CACHE_PARAMETER_TTL_MS: '1000',
      CACHE_MAX_STALE_MS: '60000',
      READINESS_CACHE_MS: '0',
    });
    const names = ['/test/apps/a', '/test/apps/b', '/test/apps/c'];
    mockListing(ssmMock, names);
    ssmMock
      .on(GetParameterCommand)
      .callsFake((input: { Name: string }) => ({ Parameter: { Value: `v${input.Name}` } }));

    // Tokens: 4, one held for readiness. The listing takes one, /test/apps/a and /b one each.
    for (const name of names.slice(0, 2)) {
      assert.equal((await app.inject({ method: 'GET', url: url(name) })).statusCode, 200);
    }
    const spent = await app.inject({ method: 'GET', url: url('/test/apps/c') });
    assert.equal(spent.statusCode, 503);
    assert.equal(spent.headers['retry-after'], '2');
    assert.match(String(spent.headers['content-type']), /problem\+json/);
    assert.match(spent.json().detail, /call budget/);

    advance(1_500); // a's value expired; 0.75 token refilled: still no call possible
    const stale = await app.inject({ method: 'GET', url: url('/test/apps/a') });
    assert.equal(stale.statusCode, 200);
    assert.equal(stale.headers['x-cache'], 'stale');
    assert.equal(stale.json().value, 'v/test/apps/a');
    assert.equal(calls('GetParameter'), 2, 'no call was made beyond the budget');

    // Readiness has its reserve: user traffic that spent the budget does not make it flap.
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);

    advance(3_000); // the readiness check took its reserve token: 0.75 + 1.5 tokens now
    const fresh = await app.inject({ method: 'GET', url: url('/test/apps/c') });
    assert.equal(fresh.statusCode, 200, 'recovers by itself as the budget refills');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(
      metrics,
      /aws_budget_rejections_total\{operation="GetParameter",priority="request"[^}]*\} 2/,
    );
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { buildApp } from '../../src/app';
import { appWithMockedAws, awsError, testConfig } from '../helpers';

describe('GET /readyz', () => {
  it('is ready when SSM answers, and reuses the result for READINESS_CACHE_MS', async () => {
    const { app, ssmMock } = await appWithMockedAws({ READINESS_CACHE_MS: '60000' });
    after(() => app.close());
    ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [] });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => app.inject({ method: 'GET', url: '/readyz' })),
    );
    for (const answer of answers) {
      assert.equal(answer.statusCode, 200);
      assert.deepEqual(answer.json(), { status: 'ready' });
    }
    assert.equal(ssmMock.commandCalls(DescribeParametersCommand).length, 1);
  });

  it('is not ready when SSM fails, while /healthz stays ok', async () => {
    const { app, ssmMock } = await appWithMockedAws({ READINESS_CACHE_MS: '0' });
    after(() => app.close());
    ssmMock.on(DescribeParametersCommand).rejects(awsError('ServiceUnavailable', 503));
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().auxiliary_version, 'v-test');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);

    ssmMock.reset();
    ssmMock.on(DescribeParametersCommand).resolves({});
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'recovers by itself');
  });

  it('stays ready when SSM fails after it has answered once, and reports it in ssm_reachable', async () => {
    const { app, ssmMock } = await appWithMockedAws({ READINESS_CACHE_MS: '0' });
    after(() => app.close());
    ssmMock.on(DescribeParametersCommand).resolves({});
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);

    ssmMock.reset();
    ssmMock.on(DescribeParametersCommand).rejects(awsError('ServiceUnavailable', 503));
    const during = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(during.statusCode, 200, 'a shared SSM outage must not empty the Service');
    assert.equal(ssmMock.commandCalls(DescribeParametersCommand).length, 1, 'SSM is still checked');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^ssm_reachable\{[^}]*\} 0$/m);
  });

  it('is not ready while draining', async () => {
    const { app, lifecycle } = await buildApp(testConfig());
    after(() => app.close());
    lifecycle.startDraining();
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { appWithMockedAws, awsError } from '../helpers';

describe('GET /parameter caching', () => {
  it('answers repeated requests from the cache and marks stale answers when AWS fails', async () => {
    const { app, ssmMock } = await appWithMockedAws({
      CACHE_PARAMETER_TTL_MS: '50',
      CACHE_MAX_STALE_MS: '60000',
    });
    after(() => app.close());
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'cached' } });

    const url = '/parameter?name=/test/apps/config/hotel';
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'GET', url })));
    assert.ok(answers.every((answer) => answer.statusCode === 200 && answer.json().value === 'cached'));
    assert.equal(ssmMock.commandCalls(GetParameterCommand).length, 1);

    await new Promise((resolve) => setTimeout(resolve, 60));
    ssmMock.reset();
    ssmMock.on(GetParameterCommand).rejects(awsError('ThrottlingException'));
    const stale = await app.inject({ method: 'GET', url });
    assert.equal(stale.statusCode, 200);
    assert.equal(stale.headers['x-cache'], 'stale');
    assert.equal(stale.json().value, 'cached');

    ssmMock.reset();
    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const gone = await app.inject({ method: 'GET', url });
    assert.equal(gone.statusCode, 404, 'a definite answer from AWS is not papered over with a stale value');
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { appWithMockedAws, awsError, mockListing } from '../helpers';

// A mock clock, moved past the listing interval before each case, so each case's listing is read.
let clock = 0;
const { app, ssmMock } = await appWithMockedAws({ CACHE_PARAMETER_TTL_MS: '0' }, () => clock);
after(() => app.close());

const get = (query: string) => app.inject({ method: 'GET', url: `/parameter${query}` });

describe('GET /parameter', () => {
  it('returns the decrypted value with the version', async () => {
    ssmMock.reset();
    mockListing(ssmMock, ['/test/apps/config/env_name']);
    ssmMock
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: '/test/apps/config/env_name', Value: 'test' } });
    const response = await get('?name=/test/apps/config/env_name');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      auxiliary_version: 'v-test',
      name: '/test/apps/config/env_name',
      value: 'test',
    });
    assert.equal(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input.WithDecryption, true);
  });

  const rejectedBeforeAws: [string, number][] = [
    ['', 400],
    ['?name=', 400],
    ['?name=a&name=b', 400],
    ['?name=/test/apps/has%20space', 400],
    ['?name=/test/apps//double', 400],
    [`?name=/test/apps/${'x'.repeat(1100)}`, 400],
    ['?name=/test/service_user/secret_access_key', 403],
    ['?name=/prod/apps/config/env_name', 403],
    ['?name=/test/apps', 403],
  ];
  for (const [query, status] of rejectedBeforeAws) {
    it(`answers ${status} for ${query.slice(0, 50) || 'no name'} without calling AWS`, async () => {
      ssmMock.reset();
      const response = await get(query);
      assert.equal(response.statusCode, status);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const body = response.json();
      assert.equal(body.status, status);
      assert.equal(body.auxiliary_version, 'v-test');
      assert.equal(ssmMock.calls().length, 0);
    });
  }

  const awsFailures: [string, number, number, string | undefined][] = [
    ['ParameterNotFound', 400, 404, undefined],
    ['AccessDeniedException', 400, 403, undefined],
    ['ThrottlingException', 400, 503, '2'],
    ['InternalServerError', 500, 503, '2'],
    ['ValidationException', 400, 502, undefined],
  ];
  for (const [name, awsStatus, status, retryAfter] of awsFailures) {
    it(`maps ${name} to ${status}`, async () => {
      ssmMock.reset();
      clock += 10_000;
      // One name per case: a name GetParameter does not find is forgotten until the next listing.
      mockListing(ssmMock, [`/test/apps/errors/${name}`]);
      ssmMock.on(GetParameterCommand).rejects(awsError(name, awsStatus));
      const response = await get(`?name=/test/apps/errors/${name}`);
      assert.equal(response.statusCode, status);
      assert.equal(response.headers['retry-after'], retryAfter);
      const body = response.json();
      assert.equal(body.auxiliary_version, 'v-test');
      assert.equal(typeof body.detail, 'string');
      assert.doesNotMatch(response.body, /\(test\)|at .*\.ts/, 'no AWS message or stack leaks');
    });
  }
});

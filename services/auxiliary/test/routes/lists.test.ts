import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { appWithMockedAws, awsError } from '../helpers';

const { app, ssmMock, s3Mock } = await appWithMockedAws({ CACHE_LIST_TTL_MS: '0' });
after(() => app.close());

describe('GET /parameters', () => {
  it('lists every name across pages, sorted', async () => {
    ssmMock.reset();
    ssmMock
      .on(DescribeParametersCommand, { NextToken: undefined })
      .resolves({ Parameters: [{ Name: '/test/apps/b' }], NextToken: 'p2' })
      .on(DescribeParametersCommand, { NextToken: 'p2' })
      .resolves({ Parameters: [], NextToken: 'p3' })
      .on(DescribeParametersCommand, { NextToken: 'p3' })
      .resolves({ Parameters: [{ Name: '/test/apps/a' }] });
    const response = await app.inject({ method: 'GET', url: '/parameters' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      auxiliary_version: 'v-test',
      parameters: ['/test/apps/a', '/test/apps/b'],
    });
  });

  it('maps an access denial to 403', async () => {
    ssmMock.reset();
    ssmMock.on(DescribeParametersCommand).rejects(awsError('AccessDeniedException'));
    const response = await app.inject({ method: 'GET', url: '/parameters' });
    assert.equal(response.statusCode, 403);
  });
});

describe('GET /buckets', () => {
  it('lists every bucket, sorted', async () => {
    s3Mock.reset();
    s3Mock
      .on(ListBucketsCommand)
      .resolves({ Buckets: [{ Name: 'test-apps-secondary' }, { Name: 'test-apps-main' }] });
    const response = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      auxiliary_version: 'v-test',
      buckets: ['test-apps-main', 'test-apps-secondary'],
    });
  });

  it('maps S3 being unavailable to 503 with Retry-After', async () => {
    s3Mock.reset();
    s3Mock.on(ListBucketsCommand).rejects(awsError('ServiceUnavailable', 503));
    const response = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(response.statusCode, 503);
    assert.ok(response.headers['retry-after']);
  });
});

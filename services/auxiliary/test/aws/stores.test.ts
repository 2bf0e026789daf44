import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { Registry } from 'prom-client';
import { AwsCallError, createAwsCall } from '../../src/aws/aws-call';
import { BucketStore } from '../../src/aws/bucket-store';
import { ParameterStore } from '../../src/aws/parameter-store';
import { awsError, roomyBudget } from '../helpers';

const silentLog = { debug() {}, info() {}, warn() {} } as never;
const region = 'eu-west-1';
const credentials = { accessKeyId: 'unit', secretAccessKey: 'unit' };

function parameterStore(budgetMs = 1_000) {
  const ssm = new SSMClient({ region, credentials });
  const registry = new Registry();
  return {
    store: new ParameterStore(ssm, createAwsCall(budgetMs, registry, silentLog, roomyBudget())),
    mock: mockClient(ssm),
    registry,
  };
}

describe('ParameterStore.listNames', () => {
  it('follows NextToken through empty pages and sorts the names', async () => {
    const { store, mock } = parameterStore();
    mock
      .on(DescribeParametersCommand, { NextToken: undefined })
      .resolves({ Parameters: [{ Name: '/b' }], NextToken: 'one' })
      .on(DescribeParametersCommand, { NextToken: 'one' })
      .resolves({ Parameters: [], NextToken: 'two' })
      .on(DescribeParametersCommand, { NextToken: 'two' })
      .resolves({ Parameters: [{ Name: '/c' }, { Name: '/a' }] });

    assert.deepEqual(await store.listNames(), ['/a', '/b', '/c']);
    assert.equal(mock.commandCalls(DescribeParametersCommand).length, 3);
    for (const call of mock.commandCalls(DescribeParametersCommand))
      assert.equal(call.args[0].input.MaxResults, 50);
  });

  it('fails as a whole when a later page fails', async () => {
    const { store, mock } = parameterStore();
    mock
      .on(DescribeParametersCommand, { NextToken: undefined })
      .resolves({ Parameters: [{ Name: '/a' }], NextToken: 'one' })
      .on(DescribeParametersCommand, { NextToken: 'one' })
      .rejects(awsError('ThrottlingException'));
    await assert.rejects(
      store.listNames(),
      (error) => error instanceof AwsCallError && error.failure === 'throttled',
    );
  });
});

describe('ParameterStore.getValue', () => {
  it('asks for the decrypted value', async () => {
    const { store, mock, registry } = parameterStore();
    mock.on(GetParameterCommand).resolves({ Parameter: { Name: '/test/apps/x', Value: 'v' } });
    assert.equal(await store.getValue('/test/apps/x'), 'v');
    assert.deepEqual(mock.commandCalls(GetParameterCommand)[0]?.args[0].input, {
      Name: '/test/apps/x',
      WithDecryption: true,
    });
    const metrics = await registry.getSingleMetricAsString('aws_requests_total');
    assert.match(metrics, /operation="GetParameter",outcome="success"} 1/);
  });

  it('classifies failures and counts them by outcome', async () => {
    const { store, mock, registry } = parameterStore();
    mock.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    await assert.rejects(store.getValue('/test/apps/x'), (error) => {
      assert.ok(error instanceof AwsCallError);
      assert.equal(error.failure, 'not_found');
      assert.equal(error.toProblem().status, 404);
      return true;
    });
    assert.match(await registry.getSingleMetricAsString('aws_requests_total'), /outcome="not_found"} 1/);
  });
});

describe('createAwsCall', () => {
  it('aborts an operation that outlives its budget and reports a timeout', async () => {
    const call = createAwsCall(100, new Registry(), silentLog, roomyBudget());
    // The deadline's timer does not hold the event loop open; a server would.
    const keepAlive = setTimeout(() => {}, 5_000);
    const started = Date.now();
    const hanging = (signal: AbortSignal) =>
      new Promise<never>((_resolve, reject) => {
        // What the SDK's HTTP handler does when the signal fires.
        signal.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        );
      });
    await assert.rejects(call('GetParameter', 'x', hanging), (error) => {
      assert.ok(error instanceof AwsCallError);
      assert.equal(error.failure, 'timeout');
      return true;
    });
    clearTimeout(keepAlive);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 90 && elapsed < 1_000, `took ${elapsed} ms`);
  });

  it('counts every attempt the SDK reports, retries included', async () => {
    const registry = new Registry();
    const call = createAwsCall(1_000, registry, silentLog, roomyBudget());
    await call('GetParameter', 'x', async () => ({ $metadata: { attempts: 3 } }));
    assert.match(
      await registry.getSingleMetricAsString('aws_request_attempts_total'),
      /operation="GetParameter"} 3/,
    );
  });
});

describe('BucketStore.listNames', () => {
  it('follows ContinuationToken and sorts', async () => {
    const s3 = new S3Client({ region, credentials });
    const mock = mockClient(s3);
    mock
      .on(ListBucketsCommand, { ContinuationToken: undefined })
      .resolves({ Buckets: [{ Name: 'zeta' }], ContinuationToken: 'next' })
      .on(ListBucketsCommand, { ContinuationToken: 'next' })
      .resolves({ Buckets: [{ Name: 'alpha' }, {}] });
    const store = new BucketStore(s3, createAwsCall(1_000, new Registry(), silentLog, roomyBudget()));
    assert.deepEqual(await store.listNames(), ['alpha', 'zeta']);
  });
});

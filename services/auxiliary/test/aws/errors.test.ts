import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterNotFound } from '@aws-sdk/client-ssm';
import { awsFailureToProblem, classifyAwsError } from '../../src/aws/errors';

const named = (name: string, status?: number) =>
  Object.assign(new Error('boom'), { name, $metadata: status ? { httpStatusCode: status } : {} });

describe('classifyAwsError', () => {
  it('classifies by error name', () => {
    assert.equal(classifyAwsError(new ParameterNotFound({ message: 'x', $metadata: {} })), 'not_found');
    assert.equal(classifyAwsError(named('AccessDeniedException')), 'denied');
    assert.equal(classifyAwsError(named('ThrottlingException')), 'throttled');
    assert.equal(classifyAwsError(named('InternalServerError')), 'unavailable');
    assert.equal(classifyAwsError(named('AbortError')), 'timeout');
    assert.equal(classifyAwsError(named('TimeoutError')), 'timeout');
  });

  it('classifies network errors by code', () => {
    assert.equal(classifyAwsError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'unavailable');
    assert.equal(classifyAwsError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })), 'timeout');
  });

  it('falls back to the HTTP status when the SDK could not parse the body', () => {
    // The local emulator answers an SSM denial with an XML 403 the JSON protocol cannot read.
    const deserialization = Object.assign(new Error('Deserialization error'), {
      name: 'SyntaxError',
      $metadata: { httpStatusCode: 403 },
    });
    assert.equal(classifyAwsError(deserialization), 'denied');
    assert.equal(classifyAwsError(named('Unknown', 429)), 'throttled');
    assert.equal(classifyAwsError(named('Unknown', 503)), 'unavailable');
    assert.equal(classifyAwsError(named('Unknown', 404)), 'not_found');
  });

  it('calls anything else unexpected', () => {
    assert.equal(classifyAwsError(named('ValidationException', 400)), 'unexpected');
    assert.equal(classifyAwsError('a string'), 'unexpected');
    assert.equal(classifyAwsError(undefined), 'unexpected');
  });
});

describe('awsFailureToProblem', () => {
  it('maps each failure to the contract status', () => {
    const expected = {
      not_found: 404,
      denied: 403,
      throttled: 503,
      unavailable: 503,
      timeout: 504,
      unexpected: 502,
    };
    for (const [failure, status] of Object.entries(expected)) {
      const problem = awsFailureToProblem(failure as keyof typeof expected, 'parameter /x');
      assert.equal(problem.status, status, failure);
    }
  });

  it('tells clients when to retry after throttling or unavailability', () => {
    assert.ok(Number(awsFailureToProblem('throttled', 'x').headers['retry-after']) > 0);
    assert.ok(Number(awsFailureToProblem('unavailable', 'x').headers['retry-after']) > 0);
  });
});

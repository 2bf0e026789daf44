import { withDeadline } from '@platform/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { type AwsFailure, awsFailureToProblem, classifyAwsError } from './errors';

/** An AWS failure, already classified; the route layer turns it into problem+json. */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';

  constructor(
    readonly operation: string,
    readonly failure: AwsFailure,
    readonly subject: string,
    options: { cause: unknown },
  ) {
    super(`${operation} failed: ${failure}`, options);
  }

  toProblem() {
    return awsFailureToProblem(this.failure, this.subject);
  }
}

export type AwsCall = <T>(
  operation: string,
  subject: string,
  run: (signal: AbortSignal) => Promise<T>,
) => Promise<T>;

/**
 * Wraps every AWS operation: gives it the whole time budget (retries included) as one
 * AbortSignal, counts outcomes and attempts, and classifies failures once.
 */
export function createAwsCall(budgetMs: number, registry: Registry, log: FastifyBaseLogger): AwsCall {
  const calls = new Counter({
    name: 'aws_requests_total',
    help: 'AWS operations, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'aws_request_attempts_total',
    help: 'HTTP attempts made to AWS, retries included.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'aws_request_duration_seconds',
    help: 'Duration of AWS operations, retries and pagination included.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: [registry],
  });

  return async (operation, subject, run) => {
    const stop = duration.startTimer({ operation });
    try {
      const result = await withDeadline(budgetMs, run);
      calls.inc({ operation, outcome: 'success' });
      attempts.inc({ operation }, attemptsOf(result));
      return result;
    } catch (error) {
      const failure = classifyAwsError(error);
      calls.inc({ operation, outcome: failure });
      attempts.inc({ operation }, attemptsOf(error));
      // Name and code only: AWS messages can echo request input.
      const { name, code } = error as { name?: unknown; code?: unknown };
      const level = failure === 'not_found' ? 'debug' : 'warn';
      log[level]({ operation, failure, errorName: name, errorCode: code }, 'AWS call failed');
      throw new AwsCallError(operation, failure, subject, { cause: error });
    } finally {
      stop();
    }
  };
}

function attemptsOf(value: unknown): number {
  const attempts = (value as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}

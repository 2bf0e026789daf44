import { withDeadline } from '@platform/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CallBudget, CallPriority } from './call-budget';
import { type AwsFailure, awsFailureToProblem, classifyAwsError } from './errors';

/** An AWS failure, already classified; the route layer turns it into problem+json. */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly operation: string,
    readonly failure: AwsFailure,
    readonly subject: string,
    options: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(`${operation} failed: ${failure}`, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toProblem() {
    return awsFailureToProblem(this.failure, this.subject, this.retryAfterSeconds);
  }
}

export type AwsCall = <T>(
  operation: string,
  subject: string,
  run: (signal: AbortSignal) => Promise<T>,
  priority?: CallPriority,
) => Promise<T>;

/**
 * Wraps every AWS operation: takes a token from the process's call budget (or fails at
 * once), gives the call the whole time budget (retries included) as one AbortSignal,
 * counts outcomes and attempts, and classifies failures once.
 */
export function createAwsCall(
  budgetMs: number,
  registry: Registry,
  log: FastifyBaseLogger,
  budget: CallBudget,
): AwsCall {
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
  const rejections = new Counter({
    name: 'aws_budget_rejections_total',
    help: 'AWS operations not made because the per-process call budget was spent.',
    labelNames: ['operation', 'priority'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'aws_budget_tokens',
    help: 'Tokens left in the per-process AWS call budget (negative: SDK retries in debt).',
    registers: [registry],
    collect() {
      this.set(budget.available());
    },
  });

  // One warning when the budget runs dry and one line when it recovers, not one per request.
  let rejectedSinceWarning = 0;

  return async (operation, subject, run, priority = 'request') => {
    if (!budget.tryTake(priority)) {
      rejections.inc({ operation, priority });
      if (rejectedSinceWarning++ === 0)
        log.warn({ operation, priority }, 'AWS call budget spent: answering from cache or 503');
      throw new AwsCallError(operation, 'over_budget', subject, {
        retryAfterSeconds: budget.retryAfterSeconds(),
      });
    }
    if (rejectedSinceWarning > 0) {
      log.info({ rejected: rejectedSinceWarning }, 'AWS call budget available again');
      rejectedSinceWarning = 0;
    }

    const stop = duration.startTimer({ operation });
    let made = 1;
    try {
      const result = await withDeadline(budgetMs, run);
      made = attemptsOf(result);
      calls.inc({ operation, outcome: 'success' });
      return result;
    } catch (error) {
      made = attemptsOf(error);
      const failure = classifyAwsError(error);
      calls.inc({ operation, outcome: failure });
      // Name and code only: AWS messages can echo request input.
      const { name, code } = error as { name?: unknown; code?: unknown };
      const level = failure === 'not_found' ? 'debug' : 'warn';
      log[level]({ operation, failure, errorName: name, errorCode: code }, 'AWS call failed');
      throw new AwsCallError(operation, failure, subject, { cause: error });
    } finally {
      attempts.inc({ operation }, made);
      budget.charge(made - 1);
      stop();
    }
  };
}

function attemptsOf(value: unknown): number {
  const attempts = (value as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}

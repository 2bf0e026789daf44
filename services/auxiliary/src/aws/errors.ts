import {
  badGateway,
  forbidden,
  gatewayTimeout,
  type HttpProblem,
  notFound,
  serviceUnavailable,
} from '@platform/service-kit';

const NOT_FOUND = new Set(['ParameterNotFound', 'ParameterVersionNotFound', 'NoSuchBucket', 'NotFound']);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'KMSAccessDeniedException',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);
const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalError',
  'InternalFailure',
  'CredentialsProviderError',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const TIMED_OUT = new Set([
  'AbortError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ETIMEDOUT',
]);

export type AwsFailure =
  | 'not_found'
  | 'denied'
  | 'throttled'
  | 'unavailable'
  | 'timeout'
  | 'unexpected'
  /** Not from AWS: this process's own call budget (call-budget.ts) refused to make the call. */
  | 'over_budget';

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Classifies an error thrown by an AWS SDK call. By name first, then by HTTP status,
 * because some answers (the local emulator's XML 403 for SSM, for instance) reach the
 * SDK as deserialization errors that carry only `$metadata.httpStatusCode`.
 */
export function classifyAwsError(error: unknown): AwsFailure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const names = [shape.name, shape.code].filter((value): value is string => typeof value === 'string');
  const has = (set: Set<string>) => names.some((name) => set.has(name));

  // The SDK's HTTP handler renames ECONNRESET/EPIPE errors to TimeoutError; a reset or
  // broken connection is AWS being unavailable (503), not a spent time budget (504).
  if (typeof shape.code === 'string' && UNAVAILABLE.has(shape.code)) return 'unavailable';
  if (has(TIMED_OUT)) return 'timeout';
  if (has(NOT_FOUND)) return 'not_found';
  if (has(ACCESS_DENIED)) return 'denied';
  if (has(THROTTLED)) return 'throttled';
  if (has(UNAVAILABLE)) return 'unavailable';

  const status = shape.$metadata?.httpStatusCode;
  if (status === 403 || status === 401) return 'denied';
  if (status === 404) return 'not_found';
  if (status === 429) return 'throttled';
  if (status === 503 || status === 500 || status === 502) return 'unavailable';
  if (status === 504) return 'timeout';
  return 'unexpected';
}

/** Failures worth serving a stale cached value for: AWS is there but not answering well, or not asked. */
export const isTransientFailure = (failure: AwsFailure) =>
  failure === 'throttled' || failure === 'unavailable' || failure === 'timeout' || failure === 'over_budget';

export const RETRY_AFTER_SECONDS = 2;

/** The one mapping from an AWS failure to the HTTP contract (DESIGN.md §2). */
export function awsFailureToProblem(
  failure: AwsFailure,
  subject: string,
  retryAfterSeconds = RETRY_AFTER_SECONDS,
): HttpProblem {
  switch (failure) {
    case 'not_found':
      return notFound(`${subject} not found`);
    case 'denied':
      return forbidden(`AWS denied access to ${subject}`);
    case 'throttled':
      return serviceUnavailable(`AWS is throttling requests for ${subject}`, retryAfterSeconds);
    case 'unavailable':
      return serviceUnavailable(`AWS is unavailable for ${subject}`, retryAfterSeconds);
    case 'over_budget':
      return serviceUnavailable(
        `this instance's AWS call budget is spent; ${subject} cannot be read now`,
        retryAfterSeconds,
      );
    case 'timeout':
      return gatewayTimeout(`AWS did not answer in time for ${subject}`);
    case 'unexpected':
      return badGateway(`unexpected answer from AWS for ${subject}`);
  }
}

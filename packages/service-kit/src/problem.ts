/**
 * An HTTP error in RFC 9457 problem+json form. Everything that ends a request with an
 * error throws (or is mapped to) one of these; the error handler renders it.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra members copied into the body, e.g. an upstream's version fields. */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${status} ${title}: ${detail}`);
  }

  get type(): string {
    return 'about:blank';
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export const badRequest = (detail: string) => new HttpProblem(400, 'Bad Request', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
export const badGateway = (detail: string) => new HttpProblem(502, 'Bad Gateway', detail);
export const serviceUnavailable = (detail: string, retryAfterSeconds: number) =>
  new HttpProblem(503, 'Service Unavailable', detail, { 'retry-after': String(retryAfterSeconds) });
export const gatewayTimeout = (detail: string) => new HttpProblem(504, 'Gateway Timeout', detail);

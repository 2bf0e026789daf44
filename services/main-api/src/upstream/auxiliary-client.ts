import { type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import {
  badGateway,
  gatewayTimeout,
  HttpProblem,
  REQUEST_ID_HEADER,
  serviceUnavailable,
  type Tracing,
} from '@platform/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { Pool } from 'undici';
import type { Config } from '../config';
import { BufferedCall } from './buffered-call';
import { Deadlines } from './deadlines';

export interface UpstreamResponse {
  status: number;
  body: Record<string, unknown>;
  /** Upstream headers that carry meaning for the client (Retry-After, X-Cache). */
  headers: Record<string, string>;
}

const PASSED_HEADERS = ['retry-after', 'x-cache'] as const;
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'TimeoutError',
]);
// A call refused because too many are waiting: the client may retry after this long.
const SHED_RETRY_AFTER_SECONDS = 1;
// Refused calls are counted in the metric each time, but logged at most once per this period.
const SHED_LOG_EVERY_MS = 5_000;

/**
 * The HTTP client for auxiliary-service: one pool of keep-alive connections, a time budget per
 * call (above auxiliary-service's own AWS budget, so its 503/504 arrives first), the caller's
 * request id forwarded, and a bound on the calls waiting for a connection: past it a call is
 * refused at once with 503 instead of joining an ever longer queue.
 */
export class AuxiliaryClient {
  readonly #pool: Pool;
  readonly #timeoutMs: number;
  readonly #deadlines: Deadlines;
  /** Calls in flight or waiting for a connection, beyond which a call is refused. */
  readonly #capacity: number;
  readonly #log: Pick<FastifyBaseLogger, 'warn'>;
  readonly #tracing: Tracing;
  readonly #server: { [ATTR_SERVER_ADDRESS]: string; [ATTR_SERVER_PORT]: number };
  readonly #calls: Counter<'route' | 'outcome'>;
  readonly #duration: Histogram<'route'>;
  #inFlight = 0;
  #shedSinceLog = 0;
  #shedLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    config: Pick<
      Config,
      'AUXILIARY_URL' | 'UPSTREAM_TIMEOUT_MS' | 'UPSTREAM_CONNECTIONS' | 'UPSTREAM_MAX_PENDING'
    >,
    registry: Registry,
    log: Pick<FastifyBaseLogger, 'warn'>,
    tracing: Tracing,
  ) {
    this.#tracing = tracing;
    const url = new URL(config.AUXILIARY_URL);
    this.#server = {
      [ATTR_SERVER_ADDRESS]: url.hostname,
      [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    };
    this.#timeoutMs = config.UPSTREAM_TIMEOUT_MS;
    this.#deadlines = new Deadlines(config.UPSTREAM_TIMEOUT_MS);
    this.#capacity = config.UPSTREAM_CONNECTIONS + config.UPSTREAM_MAX_PENDING;
    this.#log = log;
    this.#pool = new Pool(config.AUXILIARY_URL, {
      connections: config.UPSTREAM_CONNECTIONS,
      connectTimeout: Math.min(1_000, config.UPSTREAM_TIMEOUT_MS),
      headersTimeout: config.UPSTREAM_TIMEOUT_MS,
      bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
      // Below auxiliary-service's server keep-alive (65 s) so the server never closes first.
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
    });
    this.#calls = new Counter({
      name: 'upstream_requests_total',
      help: 'Calls from main-api to auxiliary-service, by route and outcome (status code, error, or shed when too many were waiting).',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Latency of calls from main-api to auxiliary-service.',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }

  /**
   * GETs `pathAndQuery` on auxiliary-service on behalf of the request with `requestId` and `span`,
   * whose trace context it carries. Throws 502/504 problems when no usable answer comes, and a
   * 503 problem at once when too many calls are already waiting.
   */
  async get(route: string, pathAndQuery: string, requestId: string, parent: Span): Promise<UpstreamResponse> {
    if (this.#inFlight >= this.#capacity) throw this.#shed(route);
    this.#inFlight++;
    const started = performance.now();
    const span = this.#tracing.startClientSpan(`GET ${route}`, parent, {
      [ATTR_HTTP_REQUEST_METHOD]: 'GET',
      'url.template': route,
      ...this.#server,
    });
    const headers: Record<string, string> = { accept: 'application/json', [REQUEST_ID_HEADER]: requestId };
    this.#tracing.inject(span, headers);
    let outcome: number | string = 'unreachable';
    const call = new BufferedCall();
    const deadline = this.#deadlines.add(() =>
      call.abandon(new DOMException(`deadline of ${this.#timeoutMs} ms passed`, 'TimeoutError')),
    );
    try {
      this.#pool.dispatch({ method: 'GET', path: pathAndQuery, headers }, call);
      const answer = await call.done;
      outcome = answer.status;
      return this.#parse(route, answer.status, answer.headers, answer.body);
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      const timedOut = TIMEOUT_CODES.has(errorCode(error));
      outcome = timedOut ? 'timeout' : 'unreachable';
      this.#calls.inc({ route, outcome });
      throw timedOut
        ? gatewayTimeout(`auxiliary-service did not answer within ${this.#timeoutMs} ms`)
        : badGateway('auxiliary-service is unreachable');
    } finally {
      this.#inFlight--;
      this.#deadlines.remove(deadline);
      this.#duration.observe({ route }, (performance.now() - started) / 1000);
      if (span !== parent) endSpan(span, outcome);
    }
  }

  #parse(
    route: string,
    status: number,
    received: Record<string, string | string[] | undefined>,
    raw: Buffer,
  ): UpstreamResponse {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      this.#calls.inc({ route, outcome: 'invalid_body' });
      throw badGateway('auxiliary-service sent an answer that is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.#calls.inc({ route, outcome: 'invalid_body' });
      throw badGateway('auxiliary-service sent an unexpected answer');
    }
    this.#calls.inc({ route, outcome: String(status) });
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = received[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return { status, body: body as Record<string, unknown>, headers };
  }

  #shed(route: string): HttpProblem {
    this.#calls.inc({ route, outcome: 'shed' });
    this.#shedSinceLog++;
    const now = performance.now();
    if (now - this.#shedLoggedAt >= SHED_LOG_EVERY_MS) {
      this.#log.warn(
        { route, refused: this.#shedSinceLog, capacity: this.#capacity },
        'upstream: too many calls waiting for auxiliary-service, refusing with 503',
      );
      this.#shedLoggedAt = now;
      this.#shedSinceLog = 0;
    }
    return serviceUnavailable('auxiliary-service is busy; retry shortly', SHED_RETRY_AFTER_SECONDS);
  }

  close(): Promise<void> {
    this.#deadlines.stop();
    return this.#pool.close();
  }
}

/** Ends the call's own span: the status code, or the failure as `error.type` (OTel HTTP conventions). */
function endSpan(span: Span, outcome: number | string): void {
  if (typeof outcome === 'number') span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome);
  else span.setAttribute(ATTR_ERROR_TYPE, outcome);
  if (typeof outcome === 'string' || outcome >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

function errorCode(error: unknown): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : 'unknown';
}

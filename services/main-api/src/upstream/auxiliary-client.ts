import {
  badGateway,
  gatewayTimeout,
  HttpProblem,
  REQUEST_ID_HEADER,
  withDeadline,
} from '@platform/service-kit';
import { Counter, Histogram, type Registry } from 'prom-client';
import { Pool } from 'undici';
import type { Config } from '../config';

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
]);

/**
 * The HTTP client for auxiliary-service: one pool of keep-alive connections, a time
 * budget per call (above auxiliary-service's own AWS budget, so its 503/504 arrives
 * first), and the caller's request id forwarded.
 */
export class AuxiliaryClient {
  readonly #pool: Pool;
  readonly #timeoutMs: number;
  readonly #calls: Counter<'route' | 'outcome'>;
  readonly #duration: Histogram<'route'>;

  constructor(
    config: Pick<Config, 'AUXILIARY_URL' | 'UPSTREAM_TIMEOUT_MS' | 'UPSTREAM_CONNECTIONS'>,
    registry: Registry,
  ) {
    this.#timeoutMs = config.UPSTREAM_TIMEOUT_MS;
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
      help: 'Calls from main-api to auxiliary-service, by route and outcome (status code or error).',
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

  /** GETs `pathAndQuery` on auxiliary-service. Throws 502/504 problems when no usable answer comes. */
  async get(route: string, pathAndQuery: string, requestId: string): Promise<UpstreamResponse> {
    const stop = this.#duration.startTimer({ route });
    try {
      return await withDeadline(this.#timeoutMs, (signal) =>
        this.#request(route, pathAndQuery, requestId, signal),
      );
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      const code = errorCode(error);
      const timedOut = TIMEOUT_CODES.has(code) || code === 'TimeoutError' || code === 'AbortError';
      this.#calls.inc({ route, outcome: timedOut ? 'timeout' : 'unreachable' });
      throw timedOut
        ? gatewayTimeout(`auxiliary-service did not answer within ${this.#timeoutMs} ms`)
        : badGateway('auxiliary-service is unreachable');
    } finally {
      stop();
    }
  }

  async #request(
    route: string,
    pathAndQuery: string,
    requestId: string,
    signal: AbortSignal,
  ): Promise<UpstreamResponse> {
    const response = await this.#pool.request({
      method: 'GET',
      path: pathAndQuery,
      headers: { accept: 'application/json', [REQUEST_ID_HEADER]: requestId },
      signal,
    });
    let body: unknown;
    try {
      body = await response.body.json();
    } catch (error) {
      // A timeout or a reset while reading the body is classified by get(), like any other.
      if (!(error instanceof SyntaxError)) throw error;
      this.#calls.inc({ route, outcome: 'invalid_body' });
      throw badGateway('auxiliary-service sent an answer that is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.#calls.inc({ route, outcome: 'invalid_body' });
      throw badGateway('auxiliary-service sent an unexpected answer');
    }
    this.#calls.inc({ route, outcome: String(response.statusCode) });
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = response.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return { status: response.statusCode, body: body as Record<string, unknown>, headers };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

function errorCode(error: unknown): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : 'unknown';
}

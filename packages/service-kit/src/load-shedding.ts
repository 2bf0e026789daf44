import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { PROBE_AND_SCRAPE_PATHS } from './operational-paths';
import { serviceUnavailable } from './problem';

export interface LoadSheddingOptions {
  /** Mean event-loop delay (ms) over one sample above which new requests get a 503; 0 turns shedding off. */
  maxEventLoopDelayMs: number;
  /** Heap in use (bytes) above which new requests get a 503; 0 means no heap bound. */
  maxHeapUsedBytes: number;
}

// How often the loop delay and heap are sampled. A whole second: a busy machine that starves the
// process for a moment must not read as overload (a window without any delay sample counts as
// infinite delay in under-pressure), and an overload worth shedding lasts longer than that.
const SAMPLE_INTERVAL_MS = 1_000;
const RETRY_AFTER_SECONDS = 1;
const LOG_EVERY_MS = 5_000;

/**
 * Load shedding with @fastify/under-pressure: when the event loop falls behind (or the heap
 * passes its bound), new requests are answered at once with a 503 problem and Retry-After
 * instead of queueing, so latency and memory stay bounded however many clients connect.
 */
export async function registerLoadShedding(
  app: FastifyInstance,
  registry: Registry,
  options: LoadSheddingOptions,
): Promise<void> {
  if (options.maxEventLoopDelayMs === 0 && options.maxHeapUsedBytes === 0) return;
  const shed = new Counter({
    name: 'http_requests_shed_total',
    help: 'Requests answered 503 at once because the service was overloaded, by route and reason.',
    labelNames: ['route', 'reason'] as const,
    registers: [registry],
  });
  let shedSinceLog = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  // Start-up (loading the bundle, building clients) blocks the loop once; the sample that saw it
  // must not shed the first requests. Armed two samples after the app is ready.
  let armed = false;
  app.addHook('onReady', (done) => {
    setTimeout(() => {
      armed = true;
    }, 2 * SAMPLE_INTERVAL_MS).unref();
    done();
  });

  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    sampleInterval: SAMPLE_INTERVAL_MS,
    pressureHandler: (request, _reply, reason, value) => {
      const route = request.routeOptions.url;
      if (!armed || (route !== undefined && PROBE_AND_SCRAPE_PATHS.has(route))) return;
      shed.inc({ route: route ?? 'unmatched', reason });
      shedSinceLog++;
      const now = Date.now();
      if (now - loggedAt >= LOG_EVERY_MS) {
        request.log.warn({ reason, value, shed: shedSinceLog }, 'overloaded: shedding requests with 503');
        loggedAt = now;
        shedSinceLog = 0;
      }
      // A rejected promise ends the request through the error handler: problem+json, version fields.
      return Promise.reject(
        serviceUnavailable('the service is overloaded; retry shortly', RETRY_AFTER_SECONDS),
      );
    },
  });
}

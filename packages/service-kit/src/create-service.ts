import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './config';
import {
  clientErrorHandler,
  frameworkErrorHandler,
  registerErrorHandling,
  type VersionFields,
} from './error-handler';
import { Lifecycle } from './lifecycle';
import { registerLoadShedding } from './load-shedding';
import { createLogDestination } from './log-destination';
import { createMetricsRegistry, registerHttpMetrics } from './metrics';
import { OPENAPI_PATH, type OpenApiInfo, registerOpenApi } from './openapi';
import { PROBE_AND_SCRAPE_PATHS } from './operational-paths';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';
import { healthzSchema } from './schemas/healthz';
import { registerSecurity } from './security';
import { spanExportFrom } from './tracing/config';
import { registerRequestSpans, tracedChildLogger } from './tracing/request-tracing';
import { Tracing } from './tracing/tracing';

export interface ServiceOptions {
  name: string;
  config: BaseConfig;
  versionFields: VersionFields;
  /** The OpenAPI document's info, served at /openapi.json; by default the name, version 0.0.0. */
  openapi?: OpenApiInfo;
  /** Where JSON log lines go; stdout by default. Tests pass a stream to inspect them. */
  logStream?: NodeJS.WritableStream;
  /** Tests record spans in memory; otherwise spans go where the OTEL_* settings say, if anywhere. */
  spanProcessor?: SpanProcessor;
}

export interface Service {
  app: FastifyInstance;
  lifecycle: Lifecycle;
  metrics: Registry;
  tracing: Tracing;
}

// Probes, scrapes and the API document carry trace ids in their log lines but are never
// recorded as spans.
const UNRECORDED_PATHS = new Set([...PROBE_AND_SCRAPE_PATHS, OPENAPI_PATH]);

// Header values that must never reach a log line, even at trace level.
const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

/** One access-log line per request, at the end, instead of Fastify's two. */
class AccessLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(_error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  }
}

/**
 * The Fastify instance both services start from: logging, request ids, security headers,
 * problem+json errors, 404/405, metrics, /healthz and /openapi.json. Routes are added by each service.
 */
export async function createService(options: ServiceOptions): Promise<Service> {
  const { config } = options;
  const spanExport = spanExportFrom(config);
  const tracing = new Tracing(
    { name: options.name, version: config.VERSION },
    {
      ...(spanExport ? { spanExport } : {}),
      ...(options.spanProcessor ? { spanProcessor: options.spanProcessor } : {}),
      log: { warn: (fields, message) => app.log.warn(fields, message) },
    },
  );
  const app: FastifyInstance = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      base: { service: options.name, version: config.VERSION },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      stream: options.logStream ?? createLogDestination(),
    },
    genReqId: requestIdFor,
    logController: new AccessLog(),
    childLoggerFactory: tracedChildLogger(tracing, UNRECORDED_PATHS),
    // Bounded waits for slow or idle clients; see README "Failure behaviour".
    connectionTimeout: 30_000,
    requestTimeout: 15_000,
    keepAliveTimeout: 65_000,
    bodyLimit: 1024,
    routerOptions: { maxParamLength: 256 },
    // Requests that race the shutdown on a kept-alive connection are still served.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Node enforces headersTimeout/requestTimeout only when it sweeps connections, every
    // 30 s by default: a slowloris client lived ~30 s instead of 10 s. Sweep every second.
    http: { connectionsCheckingInterval: 1_000 },
    // Errors raised before routing (bad URL encoding, parser limits) are problem+json too.
    frameworkErrors: frameworkErrorHandler(options.versionFields),
    clientErrorHandler: clientErrorHandler(options.versionFields),
  });
  // Slow-header (slowloris) clients are cut off well before requestTimeout.
  app.server.headersTimeout = 10_000;

  const lifecycle = new Lifecycle();
  const metrics = createMetricsRegistry(options.name);
  // The problems this service answers by itself carry exactly its own version fields.
  const ownProblems = { versions: Object.keys(options.versionFields) };

  // First: @fastify/swagger sees only the routes added after it.
  await registerOpenApi(app, options.openapi ?? { title: options.name, version: '0.0.0' }, ownProblems);

  // First, so every later hook and the handler run with the request's span active.
  registerRequestSpans(app, tracing);
  app.addHook('onClose', () => tracing.shutdown());

  registerErrorHandling(app, options.versionFields);
  await registerSecurity(app, config.CORS_ORIGINS);
  registerHttpMetrics(app, metrics);
  await registerLoadShedding(app, metrics, {
    maxEventLoopDelayMs: config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: config.LOAD_SHED_MAX_HEAP_MB * 1024 * 1024,
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // While draining, every answer closes its connection: keep-alive clients reconnect
    // (to another pod) and no idle socket holds the shutdown open until keepAliveTimeout.
    if (lifecycle.draining) reply.header('connection', 'close');
    done(null, payload);
  });

  app.get('/healthz', { logLevel: 'warn', schema: healthzSchema(ownProblems) }, async () => ({
    status: 'ok',
  }));

  return { app, lifecycle, metrics, tracing };
}

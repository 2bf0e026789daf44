import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createService, type Lifecycle } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import { createAwsCall } from './aws/aws-call';
import { BucketStore } from './aws/bucket-store';
import { CallBudget } from './aws/call-budget';
import { type AwsClients, createAwsClients } from './aws/clients';
import { ParameterStore } from './aws/parameter-store';
import { traceAwsCalls } from './aws/tracing-middleware';
import { CachedReads } from './cached-reads';
import type { Config } from './config';
import { Readiness } from './readiness';
import { bucketsRoute } from './routes/buckets';
import { parameterRoute } from './routes/parameter';
import { parametersRoute } from './routes/parameters';
import { readyzRoute } from './routes/readyz';
import { apiInfo } from './schemas/api-info';

export interface BuildOptions {
  /** Pre-built SDK clients (tests); by default they come from the SDK's environment. */
  clients?: AwsClients;
  logStream?: NodeJS.WritableStream;
  /** Tests record spans in memory (see service-kit's Tracing). */
  spanProcessor?: SpanProcessor;
  /** The clock of the caches, the call budget and readiness (tests pass a mock clock). */
  now?: () => number;
}

// Tokens of the call budget that only /readyz may take (see readiness.ts).
const READINESS_RESERVE = 1;

/** auxiliary-service as an application object: everything but listen() and signals. */
export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<{ app: FastifyInstance; lifecycle: Lifecycle; config: Config }> {
  const version = { auxiliary_version: config.VERSION };
  const { app, lifecycle, metrics, tracing } = await createService({
    name: 'auxiliary-service',
    config,
    versionFields: version,
    openapi: apiInfo,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.spanProcessor ? { spanProcessor: options.spanProcessor } : {}),
  });

  const clients = options.clients ?? createAwsClients(config);
  traceAwsCalls(clients.ssm, tracing);
  traceAwsCalls(clients.s3, tracing);
  const { now } = options;
  const budget = new CallBudget({
    ratePerSecond: config.AWS_CALL_RATE,
    burst: config.AWS_CALL_BURST,
    readinessReserve: READINESS_RESERVE,
    ...(now ? { now } : {}),
  });
  const call = createAwsCall(config.AWS_TIMEOUT_MS, metrics, app.log, budget);
  const parameters = new ParameterStore(clients.ssm, call);
  const buckets = new BucketStore(clients.s3, call);
  const reads = new CachedReads(parameters, buckets, config, metrics, app.log, now);

  const readiness = new Readiness(lifecycle, parameters, config.READINESS_CACHE_MS, metrics, app.log, now);
  readyzRoute(app, readiness);
  bucketsRoute(app, reads, version);
  parametersRoute(app, reads, version);
  parameterRoute(app, reads, version, config.PARAMETER_PATH_PREFIX);

  app.addHook('onClose', async () => {
    clients.ssm.destroy();
    clients.s3.destroy();
  });
  return { app, lifecycle, config };
}

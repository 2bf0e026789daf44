import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createService, type Lifecycle } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config';
import { forwardRoute } from './routes/forward';
import { readyzRoute } from './routes/readyz';
import { apiInfo } from './schemas/api-info';
import { AuxiliaryClient } from './upstream/auxiliary-client';

export interface BuildOptions {
  logStream?: NodeJS.WritableStream;
  /** Tests record spans in memory (see service-kit's Tracing). */
  spanProcessor?: SpanProcessor;
}

/** The routes main-api forwards to auxiliary-service, each to the same path there. */
export const FORWARDED_PATHS = ['/buckets', '/parameters', '/parameter'] as const;

/** main-api as an application object: everything but listen() and signals. */
export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<{ app: FastifyInstance; lifecycle: Lifecycle; config: Config }> {
  const version = { main_version: config.VERSION };
  const { app, lifecycle, metrics, tracing } = await createService({
    name: 'main-api',
    config,
    versionFields: version,
    openapi: apiInfo,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.spanProcessor ? { spanProcessor: options.spanProcessor } : {}),
  });

  const auxiliary = new AuxiliaryClient(config, metrics, app.log, tracing);
  readyzRoute(app, lifecycle);
  for (const path of FORWARDED_PATHS) forwardRoute(app, path, auxiliary, version);

  app.addHook('onClose', () => auxiliary.close());
  return { app, lifecycle, config };
}

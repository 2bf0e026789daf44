import { createService, type Lifecycle } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import { createAwsCall } from './aws/aws-call';
import { BucketStore } from './aws/bucket-store';
import { type AwsClients, createAwsClients } from './aws/clients';
import { ParameterStore } from './aws/parameter-store';
import { CachedReads } from './cached-reads';
import type { Config } from './config';
import { Readiness } from './readiness';
import { bucketsRoute } from './routes/buckets';
import { parameterRoute } from './routes/parameter';
import { parametersRoute } from './routes/parameters';
import { readyzRoute } from './routes/readyz';

export interface BuildOptions {
  /** Pre-built SDK clients (tests); by default they come from the SDK's environment. */
  clients?: AwsClients;
  logStream?: NodeJS.WritableStream;
}

/** auxiliary-service as an application object: everything but listen() and signals. */
export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<{ app: FastifyInstance; lifecycle: Lifecycle; config: Config }> {
  const version = { auxiliary_version: config.VERSION };
  const { app, lifecycle, metrics } = await createService({
    name: 'auxiliary-service',
    config,
    versionFields: version,
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });

  const clients = options.clients ?? createAwsClients(config);
  const call = createAwsCall(config.AWS_TIMEOUT_MS, metrics, app.log);
  const parameters = new ParameterStore(clients.ssm, call);
  const reads = new CachedReads(parameters, new BucketStore(clients.s3, call), config, metrics);

  readyzRoute(app, new Readiness(lifecycle, parameters, config.READINESS_CACHE_MS));
  bucketsRoute(app, reads, version);
  parametersRoute(app, reads, version);
  parameterRoute(app, reads, version, config.PARAMETER_PATH_PREFIX);

  app.addHook('onClose', async () => {
    clients.ssm.destroy();
    clients.s3.destroy();
  });
  return { app, lifecycle, config };
}

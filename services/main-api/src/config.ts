import { baseConfigShape, intFromEnv, loadConfig } from '@platform/service-kit';
import { z } from 'zod';

export const DEFAULT_PORT = 8000;

/** Every environment variable main-api reads. */
export const configSchema = z.object({
  ...baseConfigShape(DEFAULT_PORT),
  /** Base URL of auxiliary-service, e.g. http://auxiliary-service.auxiliary-service.svc.cluster.local */
  AUXILIARY_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8001' })
    .transform((value) => value.replace(/\/+$/, '')),
  /** Budget for one call to auxiliary-service; above auxiliary-service's own AWS budget (3 s). */
  UPSTREAM_TIMEOUT_MS: intFromEnv(100, 60_000, 5_000),
  /** Keep-alive connections kept open to auxiliary-service. */
  UPSTREAM_CONNECTIONS: intFromEnv(1, 1_024, 64),
});

export type Config = z.infer<typeof configSchema>;

export const loadMainConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);

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
  /**
   * Calls that may wait for one of those connections; past that, a call is answered 503 at once.
   * 256 waiting calls are ~0.1 s of work at the ~2 000 forwarded requests/s one main-api process
   * served in the benchmark, well inside UPSTREAM_TIMEOUT_MS (docs/performance.md).
   */
  UPSTREAM_MAX_PENDING: intFromEnv(0, 100_000, 256),
});

export type Config = z.infer<typeof configSchema>;

export const loadMainConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);

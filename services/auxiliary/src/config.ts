import { baseConfigShape, intFromEnv, loadConfig } from '@platform/service-kit';
import { z } from 'zod';

export const DEFAULT_PORT = 8001;

/**
 * Every environment variable auxiliary-service reads itself. The AWS SDK reads its own
 * (listed in `AWS_SDK_VARIABLES`); only AWS_REGION is checked here, so that a missing
 * region stops the process at start rather than failing the first request.
 */
export const configSchema = z.object({
  ...baseConfigShape(DEFAULT_PORT),
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'),
  /** The environment (Terraform workspace) this instance serves, e.g. `test`. */
  ENVIRONMENT_NAME: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits and -'),
  /** The only SSM path the service reads; defaults to `/<ENVIRONMENT_NAME>/apps/`. */
  PARAMETER_PATH_PREFIX: z
    .string()
    .regex(/^\/([A-Za-z0-9_.-]+\/)+$/, 'must be an SSM path that starts and ends with /')
    .optional(),
  /** Budget for one AWS operation, retries included. */
  AWS_TIMEOUT_MS: intFromEnv(100, 30_000, 3_000),
  AWS_MAX_ATTEMPTS: intFromEnv(1, 10, 3),
  /**
   * The per-process AWS call budget (token bucket): sustained calls per second and the
   * largest burst. 1/s and 10 keep 20 pods at half of SSM's 40 TPS (README "Capacity").
   */
  AWS_CALL_RATE: z.coerce
    .number({ error: 'must be a number of calls per second between 0.01 and 1000' })
    .min(0.01, 'must be a number of calls per second between 0.01 and 1000')
    .max(1_000, 'must be a number of calls per second between 0.01 and 1000')
    .default(1),
  /** At least 2: one token is held back for readiness checks. */
  AWS_CALL_BURST: intFromEnv(2, 10_000, 10),
  /** Least time between two listings of the allowed prefix triggered by unknown names. */
  PARAMETER_LIST_REFRESH_MS: intFromEnv(100, 3_600_000, 5_000),
  /** How long a /readyz result (SSM reachable or not) is reused. */
  READINESS_CACHE_MS: intFromEnv(0, 60_000, 5_000),
  CACHE_PARAMETER_TTL_MS: intFromEnv(0, 3_600_000, 5_000),
  CACHE_LIST_TTL_MS: intFromEnv(0, 3_600_000, 30_000),
  CACHE_MAX_ENTRIES: intFromEnv(1, 1_000_000, 1_000),
  /** How long past its TTL an entry may still be served when AWS fails (0 = never). */
  CACHE_MAX_STALE_MS: intFromEnv(0, 86_400_000, 300_000),
});

export type Config = z.infer<typeof configSchema> & { PARAMETER_PATH_PREFIX: string };

/** Standard AWS SDK variables the deployment may set; the SDK reads them, not this service. */
export const AWS_SDK_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_STS_REGIONAL_ENDPOINTS',
] as const;

export function loadAuxiliaryConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(configSchema, env);
  return {
    ...config,
    PARAMETER_PATH_PREFIX: config.PARAMETER_PATH_PREFIX ?? `/${config.ENVIRONMENT_NAME}/apps/`,
  };
}

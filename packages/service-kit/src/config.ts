import { z } from 'zod';
import { tracingConfigShape } from './tracing/config';

/** Thrown when the environment does not hold a valid configuration; its message is one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An integer read from an environment variable, within [min, max]. */
export const intFromEnv = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int(`must be an integer between ${min} and ${max}`)
    .min(min, `must be an integer between ${min} and ${max}`)
    .max(max, `must be an integer between ${min} and ${max}`)
    .default(fallback);

/**
 * Settings every service has. Shutdown: on SIGTERM readiness turns 503 at once, the
 * process keeps serving for SHUTDOWN_DELAY_MS so load balancers stop sending traffic,
 * then stops accepting connections and waits at most SHUTDOWN_TIMEOUT_MS for in-flight
 * requests. Kubernetes' terminationGracePeriodSeconds must exceed the sum of both.
 */
export const baseConfigShape = (defaultPort: number) => ({
  VERSION: z.string().trim().min(1).max(128).default('dev'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: intFromEnv(0, 65535, defaultPort),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  SHUTDOWN_DELAY_MS: intFromEnv(0, 60_000, 5_000),
  SHUTDOWN_TIMEOUT_MS: intFromEnv(100, 120_000, 10_000),
  /** Load shedding (load-shedding.ts): 503 at once above this mean event-loop delay; 0 = off. */
  LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: intFromEnv(0, 10_000, 1_000),
  /** Load shedding: 503 at once above this heap in use (MiB); 0 = no heap bound. */
  LOAD_SHED_MAX_HEAP_MB: intFromEnv(0, 65_536, 0),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0),
    )
    .pipe(z.array(z.url({ error: 'must be a comma-separated list of origins (https://host[:port])' }))),
  ...tracingConfigShape,
});

export type BaseConfig = z.infer<z.ZodObject<ReturnType<typeof baseConfigShape>>>;

/**
 * Parses the environment once at start. Empty strings count as unset so that
 * `FOO=` in a manifest falls back to the default. The error names the variable and
 * the rule, never the value, which may be a secret.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'configuration');
    const rule = input[variable] === undefined ? 'is required' : issue?.message;
    throw new ConfigError(`invalid configuration: ${variable} ${rule}`);
  }
  return result.data;
}

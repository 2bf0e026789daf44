import { Counter, type Registry } from 'prom-client';
import { AwsCallError } from './aws/aws-call';
import type { BucketStore } from './aws/bucket-store';
import { isTransientFailure } from './aws/errors';
import type { ParameterStore } from './aws/parameter-store';
import { type CacheResult, ExpiringCache } from './cache/expiring-cache';
import type { Config } from './config';

type CacheConfig = Pick<
  Config,
  'CACHE_PARAMETER_TTL_MS' | 'CACHE_LIST_TTL_MS' | 'CACHE_MAX_ENTRIES' | 'CACHE_MAX_STALE_MS'
>;

const isTransient = (error: unknown) => error instanceof AwsCallError && isTransientFailure(error.failure);

/** The reads the routes serve, each behind its own cache (values: short TTL; lists: longer). */
export class CachedReads {
  readonly #values: ExpiringCache<string>;
  readonly #lists: ExpiringCache<string[]>;

  constructor(
    private readonly parameters: ParameterStore,
    private readonly buckets: BucketStore,
    config: CacheConfig,
    registry: Registry,
  ) {
    const events = new Counter({
      name: 'cache_events_total',
      help: 'Cache lookups by cache and outcome (hit, miss, coalesced, stale).',
      labelNames: ['cache', 'event'] as const,
      registers: [registry],
    });
    const common = { maxEntries: config.CACHE_MAX_ENTRIES, maxStaleMs: config.CACHE_MAX_STALE_MS };
    this.#values = new ExpiringCache({ ...common, ttlMs: config.CACHE_PARAMETER_TTL_MS }, (event) =>
      events.inc({ cache: 'parameter_value', event }),
    );
    this.#lists = new ExpiringCache({ ...common, ttlMs: config.CACHE_LIST_TTL_MS }, (event) =>
      events.inc({ cache: 'list', event }),
    );
  }

  parameterValue(name: string): Promise<CacheResult<string>> {
    return this.#values.get(name, () => this.parameters.getValue(name), isTransient);
  }

  parameterNames(): Promise<CacheResult<string[]>> {
    return this.#lists.get('parameters', () => this.parameters.listNames(), isTransient);
  }

  bucketNames(): Promise<CacheResult<string[]>> {
    return this.#lists.get('buckets', () => this.buckets.listNames(), isTransient);
  }
}

import type { FastifyBaseLogger } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { AwsCallError } from './aws/aws-call';
import type { BucketStore } from './aws/bucket-store';
import { awsFailureToProblem, isTransientFailure } from './aws/errors';
import type { ParameterStore } from './aws/parameter-store';
import { type CacheResult, ExpiringCache } from './cache/expiring-cache';
import type { Config } from './config';
import { KnownParameterNames } from './known-names';

type CacheConfig = Pick<
  Config,
  | 'CACHE_PARAMETER_TTL_MS'
  | 'CACHE_LIST_TTL_MS'
  | 'CACHE_MAX_ENTRIES'
  | 'CACHE_MAX_STALE_MS'
  | 'PARAMETER_PATH_PREFIX'
  | 'PARAMETER_LIST_REFRESH_MS'
>;

const isTransient = (error: unknown) => error instanceof AwsCallError && isTransientFailure(error.failure);

/**
 * The reads the routes serve, each behind its own cache (values: short TTL; lists: longer).
 * A value is only fetched for a name the listing of the allowed prefix knows, so names that
 * do not exist cost no AWS call (known-names.ts).
 */
export class CachedReads {
  readonly #values: ExpiringCache<string>;
  readonly #lists: ExpiringCache<string[]>;
  readonly #names: KnownParameterNames;

  constructor(
    private readonly parameters: ParameterStore,
    private readonly buckets: BucketStore,
    config: CacheConfig,
    registry: Registry,
    log: FastifyBaseLogger,
    now?: () => number,
  ) {
    const events = new Counter({
      name: 'cache_events_total',
      help: 'Cache lookups by cache and outcome (hit, miss, coalesced, stale).',
      labelNames: ['cache', 'event'] as const,
      registers: [registry],
    });
    const clock = now ? { now } : {};
    const common = { maxEntries: config.CACHE_MAX_ENTRIES, maxStaleMs: config.CACHE_MAX_STALE_MS, ...clock };
    this.#values = new ExpiringCache({ ...common, ttlMs: config.CACHE_PARAMETER_TTL_MS }, (event) =>
      events.inc({ cache: 'parameter_value', event }),
    );
    this.#lists = new ExpiringCache({ ...common, ttlMs: config.CACHE_LIST_TTL_MS }, (event) =>
      events.inc({ cache: 'list', event }),
    );

    const checks = new Counter({
      name: 'parameter_name_checks_total',
      help: 'Parameter names checked against the cached listing; unknown ones cost no AWS call.',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    const refreshes = new Counter({
      name: 'parameter_list_refreshes_total',
      help: 'Listings of the allowed parameter prefix, by reason and outcome.',
      labelNames: ['reason', 'outcome'] as const,
      registers: [registry],
    });
    const prefix = config.PARAMETER_PATH_PREFIX;
    this.#names = new KnownParameterNames(
      () => parameters.listNamesUnder(prefix),
      { refreshIntervalMs: config.PARAMETER_LIST_REFRESH_MS, ...clock },
      {
        checked: (known) => checks.inc({ result: known ? 'known' : 'unknown' }),
        refreshed: (reason, outcome, names) => {
          refreshes.inc({ reason, outcome });
          log.info({ reason, outcome, names, prefix }, 'parameter listing refreshed');
        },
      },
    );
  }

  parameterValue(name: string): Promise<CacheResult<string>> {
    return this.#values.get(name, () => this.#knownValue(name), isTransient);
  }

  parameterNames(): Promise<CacheResult<string[]>> {
    return this.#lists.get('parameters', () => this.parameters.listNames(), isTransient);
  }

  bucketNames(): Promise<CacheResult<string[]>> {
    return this.#lists.get('buckets', () => this.buckets.listNames(), isTransient);
  }

  async #knownValue(name: string): Promise<string> {
    const subject = `parameter ${name}`;
    if (!(await this.#names.has(name))) throw awsFailureToProblem('not_found', subject);
    try {
      return await this.parameters.getValue(name);
    } catch (error) {
      if (error instanceof AwsCallError && error.failure === 'not_found') this.#names.forget(name);
      throw error;
    }
  }
}

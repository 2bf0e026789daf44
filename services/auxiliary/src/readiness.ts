import type { Lifecycle } from '@platform/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { AwsCallError } from './aws/aws-call';
import type { ParameterStore } from './aws/parameter-store';
import { ExpiringCache } from './cache/expiring-cache';

/**
 * /readyz: not ready while draining, and not ready until SSM has answered once, so a pod with
 * wrong credentials or no route to SSM never joins its Service and a bad rollout stops there.
 * After that the pod stays ready while SSM fails: SSM is shared by every pod, and taking all of
 * them out of the Service would turn an SSM outage into main-api's 502 "unreachable" on every
 * route (/buckets included) and hide the stale values the cache can still serve.
 *
 * SSM is still checked, at most once per READINESS_CACHE_MS (concurrent probes share the call;
 * it draws on the call budget's readiness reserve): the result is the `ssm_reachable` gauge and
 * a log line on each change.
 */
export class Readiness {
  #answeredOnce = false;
  #reachable: boolean | undefined;
  readonly #outcome: ExpiringCache<boolean>;
  readonly #gauge: Gauge;

  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly parameters: ParameterStore,
    cacheMs: number,
    registry: Registry,
    private readonly log: FastifyBaseLogger,
    now?: () => number,
  ) {
    this.#outcome = new ExpiringCache({
      ttlMs: cacheMs,
      maxEntries: 1,
      maxStaleMs: 0,
      ...(now ? { now } : {}),
    });
    this.#gauge = new Gauge({
      name: 'ssm_reachable',
      help: 'Whether the last readiness check reached SSM (1) or not (0).',
      registers: [registry],
    });
  }

  async isReady(): Promise<boolean> {
    if (this.lifecycle.draining) return false;
    await this.#outcome.get(
      'ssm',
      () => this.#check(),
      () => false,
    );
    return this.#answeredOnce;
  }

  async #check(): Promise<boolean> {
    try {
      await this.parameters.ping();
      this.#record(true);
    } catch (error) {
      // Even the reserve is spent (SDK retries in debt): keep the last result, do not flap.
      if (error instanceof AwsCallError && error.failure === 'over_budget') return this.#reachable ?? false;
      this.#record(false);
    }
    return this.#reachable === true;
  }

  #record(reachable: boolean): void {
    if (reachable) this.#answeredOnce = true;
    if (reachable !== this.#reachable) {
      if (reachable) this.log.info('SSM reachable: readiness check passed');
      else
        this.log.warn(
          { ready: this.#answeredOnce },
          this.#answeredOnce
            ? 'SSM not reachable: staying ready, serving from cache or 503'
            : 'SSM not reachable: not ready until it answers once',
        );
    }
    this.#reachable = reachable;
    this.#gauge.set(reachable ? 1 : 0);
  }
}

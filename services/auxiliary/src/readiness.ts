import type { Lifecycle } from '@platform/service-kit';
import type { ParameterStore } from './aws/parameter-store';
import { ExpiringCache } from './cache/expiring-cache';

/**
 * Ready means: not shutting down, and SSM answered a call within the last
 * READINESS_CACHE_MS. The outcome (good or bad) is cached and concurrent probes share one
 * call, so kubelet and load balancers cannot hammer SSM.
 */
export class Readiness {
  readonly #outcome: ExpiringCache<boolean>;

  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly parameters: ParameterStore,
    cacheMs: number,
  ) {
    this.#outcome = new ExpiringCache({ ttlMs: cacheMs, maxEntries: 1, maxStaleMs: 0 });
  }

  async isReady(): Promise<boolean> {
    if (this.lifecycle.draining) return false;
    const check = () =>
      this.parameters.ping().then(
        () => true,
        () => false,
      );
    const { value } = await this.#outcome.get('ssm', check, () => false);
    return value;
  }
}

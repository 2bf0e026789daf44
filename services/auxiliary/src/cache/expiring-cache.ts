export interface ExpiringCacheOptions {
  /** How long a loaded value is fresh. 0 turns the cache off: every get loads. */
  ttlMs: number;
  /** Entries kept; the least recently used is evicted first. */
  maxEntries: number;
  /** How long past its TTL a value may still be served when a reload fails transiently. */
  maxStaleMs: number;
  now?: () => number;
}

export type CacheEvent = 'hit' | 'miss' | 'coalesced' | 'stale';

export interface CacheResult<V> {
  value: V;
  /** True when the value is past its TTL and was served because the reload failed. */
  stale: boolean;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A small LRU cache with a TTL, request coalescing and stale-if-error:
 * - a fresh entry is returned without calling `load`;
 * - concurrent misses for one key share a single `load` call;
 * - a failed load is never cached; if `isTransient(error)` and an expired entry is at
 *   most `maxStaleMs` past its TTL, that entry is served (marked stale) instead.
 */
export class ExpiringCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #inFlight = new Map<string, Promise<CacheResult<V>>>();
  readonly #now: () => number;

  constructor(
    private readonly options: ExpiringCacheOptions,
    private readonly onEvent: (event: CacheEvent) => void = () => {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(
    key: string,
    load: () => Promise<V>,
    isTransient: (error: unknown) => boolean,
  ): Promise<CacheResult<V>> {
    if (this.options.ttlMs === 0) {
      this.onEvent('miss');
      return { value: await load(), stale: false };
    }

    const entry = this.#entries.get(key);
    if (entry && this.#now() < entry.expiresAt) {
      // Re-insert so that Map order stays least-recently-used first.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.onEvent('hit');
      return { value: entry.value, stale: false };
    }

    const pending = this.#inFlight.get(key);
    if (pending) {
      this.onEvent('coalesced');
      return pending;
    }

    this.onEvent('miss');
    const loading = this.#reload(key, load, isTransient).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, loading);
    return loading;
  }

  async #reload(key: string, load: () => Promise<V>, isTransient: (error: unknown) => boolean) {
    try {
      const value = await load();
      this.#store(key, value);
      return { value, stale: false };
    } catch (error) {
      const previous = this.#entries.get(key);
      if (previous && isTransient(error) && this.#now() - previous.expiresAt <= this.options.maxStaleMs) {
        this.onEvent('stale');
        return { value: previous.value, stale: true };
      }
      throw error;
    }
  }

  #store(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + this.options.ttlMs });
    while (this.#entries.size > this.options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}

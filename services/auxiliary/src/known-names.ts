export interface KnownNamesOptions {
  /** Least time between two listings, however many unknown names arrive. */
  refreshIntervalMs: number;
  now?: () => number;
}

// A failed listing is retried sooner than a successful one is renewed, so recovery after an
// outage does not wait a whole interval; the call budget still bounds what retries cost.
const RETRY_AFTER_FAILURE_MS = 1_000;

export type RefreshReason = 'first_lookup' | 'unknown_name';

export interface KnownNamesObserver {
  checked(known: boolean): void;
  refreshed(reason: RefreshReason, outcome: 'success' | 'failure', names: number): void;
}

/**
 * The parameter names that exist under the service's prefix, from a cached listing, so that
 * a name that does not exist costs no GetParameter call. A name missing from the listing may
 * refresh it, but refreshes are coalesced and at most one starts per `refreshIntervalMs`
 * (one per second at most while listings fail): a parameter created after the last listing
 * becomes readable within that interval, and a flood of unknown names costs at most one
 * listing per interval.
 */
export class KnownParameterNames {
  #names: Set<string> | undefined;
  #nextRefreshAt = Number.NEGATIVE_INFINITY;
  #lastError: unknown;
  #refreshing: Promise<void> | undefined;
  readonly #now: () => number;

  constructor(
    private readonly list: () => Promise<string[]>,
    private readonly options: KnownNamesOptions,
    private readonly observer: KnownNamesObserver,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether `name` exists as far as the listing knows. Throws the listing's error only when
   * no listing ever succeeded; after that, a failed refresh keeps the previous listing.
   */
  async has(name: string): Promise<boolean> {
    if (!this.#names?.has(name)) {
      if (!this.#refreshing && this.#now() >= this.#nextRefreshAt) {
        // `finally` runs after this assignment even if the listing fails synchronously.
        this.#refreshing = this.#refresh(this.#names ? 'unknown_name' : 'first_lookup').finally(() => {
          this.#refreshing = undefined;
        });
      }
      await this.#refreshing;
      if (!this.#names) throw this.#lastError;
    }
    const known = this.#names.has(name);
    this.observer.checked(known);
    return known;
  }

  /** A listed name that GetParameter no longer finds: answered from here until the next listing. */
  forget(name: string): void {
    this.#names?.delete(name);
  }

  async #refresh(reason: RefreshReason): Promise<void> {
    const started = this.#now();
    this.#nextRefreshAt = started + this.options.refreshIntervalMs;
    try {
      this.#names = new Set(await this.list());
      this.observer.refreshed(reason, 'success', this.#names.size);
    } catch (error) {
      this.#lastError = error;
      this.#nextRefreshAt = started + Math.min(this.options.refreshIntervalMs, RETRY_AFTER_FAILURE_MS);
      this.observer.refreshed(reason, 'failure', this.#names?.size ?? 0);
    }
  }
}

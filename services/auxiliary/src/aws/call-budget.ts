export interface CallBudgetOptions {
  /** Tokens added per second: the sustained bound on AWS calls of this process. */
  ratePerSecond: number;
  /** Most tokens the bucket holds: the largest burst of calls after a quiet period. */
  burst: number;
  /** Tokens only readiness checks may take, so user traffic cannot make /readyz flap. */
  readinessReserve: number;
  now?: () => number;
}

export type CallPriority = 'request' | 'readiness';

/**
 * One token bucket for every AWS call of the process (values, lists, pages, readiness).
 * SSM's quota is per account and shared by every workload in it, so this is what keeps a
 * pod's share bounded whatever its clients ask. Retries the SDK made are charged after the
 * fact (the bucket may go into debt), so the sustained rate bounds HTTP calls to AWS, not
 * just operations.
 */
export class CallBudget {
  #tokens: number;
  #updatedAt: number;
  readonly #now: () => number;

  constructor(private readonly options: CallBudgetOptions) {
    this.#now = options.now ?? Date.now;
    this.#tokens = options.burst;
    this.#updatedAt = this.#now();
  }

  /** Takes one token if there is one for this priority; never waits. */
  tryTake(priority: CallPriority): boolean {
    this.#refill();
    const floor = priority === 'readiness' ? 0 : this.options.readinessReserve;
    if (this.#tokens - floor < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Charges calls already made (SDK retries). Debt is capped at one burst. */
  charge(calls: number): void {
    if (calls <= 0) return;
    this.#refill();
    this.#tokens = Math.max(-this.options.burst, this.#tokens - calls);
  }

  /** Tokens in the bucket now (for the gauge). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Whole seconds until a request could take a token again (at least 1). */
  retryAfterSeconds(): number {
    this.#refill();
    const missing = 1 + this.options.readinessReserve - this.#tokens;
    return Math.max(1, Math.ceil(missing / this.options.ratePerSecond));
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#updatedAt = now;
    this.#tokens = Math.min(
      this.options.burst,
      this.#tokens + (elapsed / 1_000) * this.options.ratePerSecond,
    );
  }
}

// A token bucket: `capacity` takes in a burst, refilled at `perSecond`. Bounds how many
// SubjectAccessReviews one webhook replica can make kube-apiserver run, whoever asks.

/** How big the bucket is and how fast it refills; `now` in milliseconds (injected in tests). */
export interface TokenBucketOptions {
  capacity: number;
  perSecond: number;
  now?: () => number;
}

export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    this.#capacity = options.capacity;
    this.#perMs = options.perSecond / 1000;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.capacity;
    this.#updatedAt = this.#now();
  }

  /** Takes one token if there is one; false when the bucket is empty. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whole tokens left now. */
  available(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  #refill(): void {
    const now = this.#now();
    // A clock that steps back refills nothing (and never drains).
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#perMs);
    this.#updatedAt = Math.max(this.#updatedAt, now);
  }
}

// Retry delays after failures, for the work queue (per key) and informers (per restart):
// exponential, capped, jittered. One policy, so both recover from an outage alike.

/** Shape of the retry delays; see DEFAULT_BACKOFF for the values and why. */
export interface BackoffPolicy {
  /** Delay after the first failure, before jitter. */
  readonly baseMs: number;
  /** The delay stops doubling here, before jitter. */
  readonly maxMs: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter). */
  readonly jitter: number;
}

/**
 * 200 ms doubling to 60 s (reached at the 10th consecutive failure), ±20% jitter, so a
 * retry comes at most 72 s later. ±20% rather than full jitter: full jitter may retry at
 * once and hammer a struggling API server, while ±20% keeps the exponential shape and still
 * spreads out keys that failed together (e.g. when the API server went away).
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 60_000, jitter: 0.2 };

/**
 * Milliseconds to wait after the given number of consecutive failures (1 = first failure).
 * `random` returns a number in [0, 1), like Math.random; out-of-range values are clamped so
 * a faulty source cannot produce a negative or runaway delay.
 */
export function backoffDelayMs(
  failures: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  if (!Number.isInteger(failures) || failures < 1) {
    throw new RangeError(`failures must be a positive integer, got ${failures}`);
  }
  // 2 ** large is Infinity, which Math.min turns into the cap.
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (failures - 1));
  const unit = Math.min(Math.max(random(), 0), 1);
  const factor = 1 - policy.jitter + 2 * policy.jitter * unit;
  return Math.round(exponential * factor);
}

// "Last used": every successful authentication is noted in memory (no I/O on the request path);
// a flusher writes status.lastUsedAt of each used token at most once per interval, and skips a
// write that the status already covers, so several webhook replicas stay bounded too.
import type { Logger } from "pino";
import { errorMessage, isNotFound } from "../../k8s/errors.ts";
import { truncateToSecond } from "../../k8s/time.ts";

/** What a flush did for one token. */
export type LastUsedOutcome = "written" | "skipped" | "gone" | "failed";

/** How the tracker reads and writes token status; `tokenKey` is `namespace/name`. */
export interface LastUsedOptions {
  intervalMs: number;
  /**
   * A status at most this much older than the recorded use counts as covering it (another
   * replica, or this one, wrote it recently). Default: half the interval, so one busy replica
   * still writes every interval while two replicas rarely both write.
   */
  toleranceMs?: number;
  /** The token's cached `status.lastUsedAt`; undefined when the token is gone. */
  cachedStatus(tokenKey: string): { lastUsedAt: Date | undefined } | undefined;
  /** Merge-patches `status.lastUsedAt`; a 404 KubeApiError means the token is gone. */
  write(tokenKey: string, lastUsedAt: Date): Promise<void>;
  log: Logger;
  onOutcome?: (outcome: LastUsedOutcome) => void;
  /** Writes in flight at once during a flush. */
  concurrency?: number;
  /**
   * Where uses counted on kept successes wait (the verdict cache, record 91): each flush takes
   * them first.
   */
  keptUses?: { takeLastUses(take: (tokenKey: string, atMs: number) => void): void };
}

/**
 * Whether a use at `usedAtMs` still needs writing, given what status shows (`coveredMs`,
 * undefined: never used) and the tolerance. Never writes a time older than the status.
 */
export function lastUsedWriteNeeded(
  usedAtMs: number,
  coveredMs: number | undefined,
  toleranceMs: number,
): boolean {
  return coveredMs === undefined || usedAtMs - coveredMs > toleranceMs;
}

/** Notes uses in memory and flushes them to status in the background. */
export class LastUsedTracker {
  readonly #options: LastUsedOptions;
  readonly #tolerance: number;
  /** tokenKey → latest use not yet flushed (ms, whole seconds). */
  #pending = new Map<string, number>();
  /** tokenKey → latest value this replica wrote, in case the cache has not caught up yet. */
  readonly #written = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(options: LastUsedOptions) {
    this.#options = options;
    this.#tolerance = options.toleranceMs ?? Math.floor(options.intervalMs / 2);
  }

  /** Notes a successful authentication; O(1), no I/O. */
  record(tokenKey: string, at: Date): void {
    this.#recordMs(tokenKey, at.getTime());
  }

  #recordMs(tokenKey: string, atMs: number): void {
    const usedAt = truncateToSecond(atMs);
    if (usedAt > (this.#pending.get(tokenKey) ?? -Infinity)) this.#pending.set(tokenKey, usedAt);
  }

  /** Uses noted but not yet flushed. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Starts flushing every interval. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the interval and flushes what is left (at shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  /** Writes every pending use the status does not cover yet; never throws. */
  async flush(): Promise<void> {
    // One flush at a time: a slow API server makes ticks wait rather than pile up.
    while (this.#flushing) await this.#flushing;
    this.#flushing = this.#flushOnce().finally(() => (this.#flushing = undefined));
    await this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    this.#options.keptUses?.takeLastUses((tokenKey, atMs) => this.#recordMs(tokenKey, atMs));
    const batch = [...this.#pending];
    this.#pending = new Map();
    const queue = batch.values();
    const worker = async (): Promise<void> => {
      for (const [tokenKey, usedAt] of queue) {
        const outcome = await this.#flushOne(tokenKey, usedAt).catch((error: unknown) => {
          this.#options.log.error(
            { serviceToken: tokenKey, err: errorMessage(error) },
            "flush failed",
          );
          return "failed" as const;
        });
        this.#options.onOutcome?.(outcome);
      }
    };
    const workers = Math.max(1, Math.min(this.#options.concurrency ?? 8, batch.length));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  async #flushOne(tokenKey: string, usedAt: number): Promise<LastUsedOutcome> {
    const status = this.#options.cachedStatus(tokenKey);
    if (status === undefined) {
      this.#written.delete(tokenKey);
      return "gone";
    }
    const covered = Math.max(
      status.lastUsedAt?.getTime() ?? -Infinity,
      this.#written.get(tokenKey) ?? -Infinity,
    );
    if (
      !lastUsedWriteNeeded(usedAt, Number.isFinite(covered) ? covered : undefined, this.#tolerance)
    ) {
      return "skipped";
    }
    try {
      await this.#options.write(tokenKey, new Date(usedAt));
      this.#written.set(tokenKey, usedAt);
      return "written";
    } catch (error) {
      if (isNotFound(error)) {
        this.#written.delete(tokenKey);
        return "gone";
      }
      // Try again next interval, unless a newer use is already waiting.
      if (usedAt > (this.#pending.get(tokenKey) ?? -Infinity)) this.#pending.set(tokenKey, usedAt);
      this.#options.log.warn(
        { serviceToken: tokenKey, err: errorMessage(error) },
        "last-used write failed",
      );
      return "failed";
    }
  }
}

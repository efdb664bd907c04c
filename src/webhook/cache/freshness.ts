// How current the webhook's caches are, turned into its behaviour: ready and deciding while
// they are current; deciding but saying so (a counter, a log field) while they lag; refusing
// to decide (503, fail closed) and not ready once they lag past the configured bound.
import type { Counter } from "prom-client";

/** A decision made while the caches lagged by at least this much is flagged as stale. */
export const STALE_DECISION_AFTER_MS = 1000;

/** What the freshness is judged on: WebhookCaches. */
export interface CacheState {
  hasSynced(): boolean;
  staleForMs(): number;
}

/** Judges the caches against the staleness bound. */
export class CacheFreshness {
  readonly #caches: CacheState;
  readonly #maxStalenessMs: number;
  readonly #staleDecisions: Counter<"outcome">;

  constructor(caches: CacheState, maxStalenessMs: number, staleDecisions: Counter<"outcome">) {
    this.#caches = caches;
    this.#maxStalenessMs = maxStalenessMs;
    this.#staleDecisions = staleDecisions;
  }

  /** Synced, and no cache stale past the bound: /readyz says 200. */
  isCurrent(): boolean {
    return this.#caches.hasSynced() && this.#caches.staleForMs() <= this.#maxStalenessMs;
  }

  /**
   * Asked once per request to a deciding route: may it decide now? Counts requests decided
   * from lagging caches (`served`) and those refused because they lag past the bound.
   */
  admitDecision(): boolean {
    if (!this.#caches.hasSynced()) return false;
    const staleMs = this.#caches.staleForMs();
    if (staleMs > this.#maxStalenessMs) {
      this.#staleDecisions.inc({ outcome: "refused" });
      return false;
    }
    if (staleMs >= STALE_DECISION_AFTER_MS) this.#staleDecisions.inc({ outcome: "served" });
    return true;
  }

  /** Synced but lagging by at least STALE_DECISION_AFTER_MS: decisions are flagged. */
  isLagging(): boolean {
    return this.#caches.hasSynced() && this.#caches.staleForMs() >= STALE_DECISION_AFTER_MS;
  }

  /**
   * A pino `formatters.log` for the HTTP logger: while the caches lag, every line (each
   * answer's included) carries `cacheStaleSeconds`.
   */
  readonly annotateLog = (fields: object): object => {
    const staleMs = this.#caches.staleForMs();
    if (!this.#caches.hasSynced() || staleMs < STALE_DECISION_AFTER_MS) return fields;
    return { ...fields, cacheStaleSeconds: Math.round(staleMs / 1000) };
  };
}

// Several informers that start, sync, report staleness and stop together: the cache of each
// process (controller, webhook) is one such group plus the indexes it keeps.
import type { Informer } from "./informer.ts";

/** Informers run as one: ready when all have synced, as stale as the stalest. */
export class InformerGroup {
  readonly #informers: readonly Informer[];

  constructor(informers: readonly Informer[]) {
    this.#informers = informers;
  }

  /** Every informer of the group. */
  all(): readonly Informer[] {
    return this.#informers;
  }

  start(): void {
    for (const informer of this.#informers) informer.start();
  }

  /** Resolves when every informer has completed its first list. */
  async synced(): Promise<void> {
    await Promise.all(this.#informers.map((informer) => informer.synced));
  }

  // Both are asked on every webhook request: loops, so no closure or array per call.
  hasSynced(): boolean {
    for (const informer of this.#informers) if (!informer.hasSynced()) return false;
    return true;
  }

  /** How long the stalest informer may have been missing changes (Infinity before its sync). */
  staleForMs(): number {
    let stalest = Number.NEGATIVE_INFINITY;
    for (const informer of this.#informers) stalest = Math.max(stalest, informer.staleForMs());
    return stalest;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers.map((informer) => informer.stop()));
  }
}

// Metric updates on a hot path without prom-client's work per call (label checks, a series key
// built and hashed, objects per call): counts and observations wait in plain fields and are
// handed to prom-client, in order, when it is scraped (the metric's `collect`) or when a buffer
// fills. prom-client then holds exactly what a call per event would have left: the same series,
// created at the same moment (an event's first goes straight through), the same counts and the
// same sums (the same additions in the same order), so /metrics reads the same.
import type { Counter, Histogram } from "prom-client";

/** Something holding updates for prom-client. */
export interface Deferred {
  /** Hands what is pending to prom-client. */
  fold(): void;
}

/** A counter series incremented by one per event. */
export class DeferredCount implements Deferred {
  readonly #series: Pick<Counter.Internal, "inc">;
  #pending = 0;
  #created = false;

  constructor(series: Pick<Counter.Internal, "inc">) {
    this.#series = series;
  }

  inc(): void {
    if (this.#created) {
      this.#pending += 1;
      return;
    }
    // The first through prom-client: the series exists from its first event, as before.
    this.#series.inc();
    this.#created = true;
  }

  fold(): void {
    if (this.#pending === 0) return;
    const pending = this.#pending;
    this.#pending = 0;
    // Whole counts below 2^53: one addition of n is n additions of 1.
    this.#series.inc(pending);
  }
}

/** Observations waiting at most; a full buffer is handed over at once (8 KB per series). */
export const DEFERRED_OBSERVATIONS = 1024;

/** A histogram series: observations kept as they came, replayed into prom-client in order. */
export class DeferredObservations implements Deferred {
  readonly #series: Pick<Histogram.Internal<string>, "observe">;
  readonly #values: Float64Array;
  #length = 0;
  #created = false;

  constructor(
    series: Pick<Histogram.Internal<string>, "observe">,
    capacity = DEFERRED_OBSERVATIONS,
  ) {
    this.#series = series;
    this.#values = new Float64Array(capacity);
  }

  observe(value: number): void {
    // prom-client refuses these at once; so does this, not at the next scrape.
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    if (!this.#created) {
      this.#series.observe(value);
      this.#created = true;
      return;
    }
    this.#values[this.#length] = value;
    this.#length += 1;
    if (this.#length === this.#values.length) this.fold();
  }

  fold(): void {
    const length = this.#length;
    this.#length = 0;
    // Each value as observed: the sum is made of the same additions, in the same order.
    for (let index = 0; index < length; index++) this.#series.observe(this.#values[index] ?? 0);
  }
}

/** Folds every one of `deferred`: the `collect` of the metrics they feed. */
export function foldAll(deferred: readonly Deferred[]): void {
  for (const pending of deferred) pending.fold();
}

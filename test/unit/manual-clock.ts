// A clock that moves only when a test says so: timers fire in due order on `advance`.
import type { Clock } from "../../src/k8s/clock.ts";

interface Timer {
  dueAt: number;
  delayMs: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  readonly #timers = new Set<Timer>();
  /** Every delay ever scheduled, in order (to read backoff and renewal periods). */
  readonly delays: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const timer = { dueAt: this.#now + delayMs, delayMs, callback };
    this.#timers.add(timer);
    this.delays.push(delayMs);
    return () => this.#timers.delete(timer);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers]
        .filter((timer) => timer.dueAt <= until)
        .sort((a, b) => a.dueAt - b.dueAt)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = Math.max(this.#now, due.dueAt);
      due.callback();
    }
    this.#now = until;
  }
}

// A clock for tests: real time plus an offset that a test can move forward. Timers scheduled
// on it fire when real time reaches them or when `advance` jumps past them, so a test can
// watch a token expire a day from now without sleeping.
import type { Clock } from "../../../src/k8s/clock.ts";

interface Timer {
  dueAt: number;
  callback: () => void;
  handle: NodeJS.Timeout | undefined;
}

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export class ShiftableClock implements Clock {
  #offsetMs = 0;
  readonly #timers = new Set<Timer>();

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const timer: Timer = { dueAt: this.now() + delayMs, callback, handle: undefined };
    this.#timers.add(timer);
    this.#arm(timer);
    return () => {
      clearTimeout(timer.handle);
      this.#timers.delete(timer);
    };
  }

  /** Moves time forward and fires every timer now due. */
  advance(ms: number): void {
    this.#offsetMs += ms;
    for (const timer of [...this.#timers]) this.#arm(timer);
  }

  #arm(timer: Timer): void {
    clearTimeout(timer.handle);
    const remaining = timer.dueAt - this.now();
    if (remaining <= 0) {
      this.#timers.delete(timer);
      timer.callback();
      return;
    }
    timer.handle = setTimeout(() => this.#arm(timer), Math.min(remaining, MAX_TIMER_DELAY_MS));
    timer.handle.unref();
  }
}

// Time for the controller runtime and the informers, injectable so tests and simulations control it.

/** What the runtime needs from time: the current instant and one-shot timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now; the returned function cancels the call. */
  schedule(callback: () => void, delayMs: number): () => void;
}

/** Longest delay one Node timer can wait (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Real time from the globals, read on every call so `vi.useFakeTimers()` applies. Delays past
 * the Node timer limit are waited out in several steps (a token may expire a year from now).
 * Timers are unref'd: a pending requeue alone does not keep the process alive.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(callback, delayMs) {
    const dueAt = Date.now() + delayMs;
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      const remaining = dueAt - Date.now();
      const step = remaining > MAX_TIMER_DELAY_MS ? arm : callback;
      timer = setTimeout(step, Math.min(remaining, MAX_TIMER_DELAY_MS));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/** Waits `ms` on the clock; resolves early (without error) when `signal` aborts. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const onAbort = (): void => {
      cancel();
      resolve();
    };
    const cancel = clock.schedule(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

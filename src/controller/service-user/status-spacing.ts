// A ServiceUser's status sums up its tokens, so every token change would rewrite it: with a
// thousand tokens per user that is a thousand writes of one object. Its status is written at
// most once per interval instead; changes in between are folded into the next write.

/** At most one status write per ServiceUser per second. */
export const USER_STATUS_INTERVAL_MS = 1_000;

/** How long to wait before the next status write may go out (0: now). */
export function statusWriteDelayMs(
  lastWrittenAt: number | undefined,
  now: number,
  intervalMs: number,
): number {
  if (lastWrittenAt === undefined) return 0;
  return Math.max(0, lastWrittenAt + intervalMs - now);
}

/** When each ServiceUser's status was last written, forgotten once it no longer matters. */
export class StatusWriteSpacing {
  readonly #lastWrittenAt = new Map<string, number>();
  readonly #intervalMs: number;

  constructor(intervalMs: number = USER_STATUS_INTERVAL_MS) {
    this.#intervalMs = intervalMs;
  }

  /** Milliseconds until `name`'s status may be written again. */
  delayMs(name: string, now: number): number {
    const delay = statusWriteDelayMs(this.#lastWrittenAt.get(name), now, this.#intervalMs);
    if (delay === 0) this.#lastWrittenAt.delete(name);
    return delay;
  }

  /** Records a write of `name`'s status at `now`. */
  wrote(name: string, now: number): void {
    this.#lastWrittenAt.set(name, now);
  }
}

// src/controller/runtime/: work queue, leader election, retry errors.
// The controller's work queue, in the controller-runtime / kube-rs model: object keys,
// de-duplicated, at most one run per key at a time, bounded concurrency, per-key backoff.
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from "../../k8s/backoff.ts";
import { systemClock, type Clock } from "../../k8s/clock.ts";
import { DueKeys } from "./due-keys.ts";
import { RequeueNowError, TerminalError } from "./errors.ts";

/** What a successful run asks for next. `{}`: nothing until the key is added again. */
export interface ProcessResult {
  /**
   * Run the key again this many ms from now. The reconciler passes the earlier of its resync
   * period and its next time-based event (a token's expiry); zero or less means at once.
   */
  readonly requeueAfterMs?: number;
}

/** How the queue answers a failed run; passed to `onError` for logs and metrics. */
export type RetryPlan =
  | { readonly action: "backoff"; readonly delayMs: number; readonly failures: number }
  | { readonly action: "requeue"; readonly delayMs: number }
  | { readonly action: "terminal" };

/**
 * Runs started back to back before the queue lets the event loop take a turn. Runs that find
 * nothing to do (a restart over settled objects) resolve without I/O, so one run's end starts
 * the next in the same microtask chain: 100k tokens held the event loop for ~40 s, and no watch,
 * probe answer or Lease renewal got through meanwhile (docs/decisions.md record 79).
 */
export const RUNS_PER_TURN = 64;

/** Retry delay after a RequeueNowError: short, but long enough for the cache to catch up. */
export const DEFAULT_REQUEUE_NOW_DELAY_MS = 100;

export interface WorkQueueOptions {
  /** Most keys processed at the same time (a positive integer). */
  readonly concurrency: number;
  /** Reconciles one key. Throw RequeueNowError, TerminalError or any error to retry. */
  readonly process: (key: string) => Promise<ProcessResult>;
  /** Told about every failed run and what happens next. Its own errors are ignored. */
  readonly onError?: (key: string, error: unknown, plan: RetryPlan) => void;
  readonly clock?: Clock;
  /** Source of jitter, [0, 1) like Math.random (the default). */
  readonly random?: () => number;
  readonly backoff?: BackoffPolicy;
  readonly requeueNowDelayMs?: number;
}

type QueueState = "created" | "started" | "stopped";

/**
 * Runs `process` for keys as worker slots free up. A key is either waiting (`size`), running
 * (`inFlight`; added again meanwhile = run once more after), or neither; separately it may
 * have one scheduled run (`scheduled`), never while it waits. Keys added before `start()`
 * wait for it.
 */
export class WorkQueue {
  readonly #concurrency: number;
  readonly #process: (key: string) => Promise<ProcessResult>;
  readonly #onError: ((key: string, error: unknown, plan: RetryPlan) => void) | undefined;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #backoff: BackoffPolicy;
  readonly #requeueNowDelayMs: number;

  /** Waiting to run, oldest first. */
  readonly #waiting = new Set<string>();
  readonly #running = new Set<string>();
  /** Running keys added again meanwhile: they run once more when the current run ends. */
  readonly #dirty = new Set<string>();
  /** Delayed runs, behind one clock timer (due-keys.ts). */
  readonly #scheduled: DueKeys;
  /** Consecutive failures per key, for backoff; dropped on success. */
  readonly #failures = new Map<string, number>();
  #idleWaiters: (() => void)[] = [];
  #state: QueueState = "created";
  /** Runs started since the queue last yielded to the event loop, and whether it is yielding. */
  #startedSinceTurn = 0;
  #yielding = false;

  constructor(options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.#concurrency = options.concurrency;
    this.#process = options.process;
    this.#onError = options.onError;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#requeueNowDelayMs = options.requeueNowDelayMs ?? DEFAULT_REQUEUE_NOW_DELAY_MS;
    this.#scheduled = new DueKeys(this.#clock, (key) => this.add(key));
  }

  /** Keys waiting for a worker (the queue depth metric); scheduled keys are not counted. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Keys being processed now. */
  get inFlight(): number {
    return this.#running.size;
  }

  /** Keys with a delayed run pending (requeueAfter, backoff or addAfter). */
  get scheduled(): number {
    return this.#scheduled.size;
  }

  /**
   * Processes the key as soon as a worker is free. Replaces any scheduled run of the key (this
   * run will decide the next one). No-op if the key is already waiting, or after `stop()`; if
   * the key is running, it runs once more after the current run.
   */
  add(key: string): void {
    if (this.#state === "stopped") return;
    this.#cancelScheduled(key);
    if (this.#running.has(key)) {
      this.#dirty.add(key);
    } else if (!this.#waiting.has(key)) {
      this.#waiting.add(key);
      this.#pump();
    }
  }

  /**
   * Processes the key `delayMs` from now, unless it is due sooner anyway: a later request
   * never postpones an earlier one. Zero or less is `add(key)`. Throws a RangeError on NaN
   * or an infinite delay.
   */
  addAfter(key: string, delayMs: number): void {
    assertFiniteDelay(delayMs);
    if (this.#state === "stopped") return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    if (this.#waiting.has(key) || this.#dirty.has(key)) return;
    const dueAt = this.#clock.now() + delayMs;
    const current = this.#scheduled.dueAt(key);
    if (current !== undefined && current <= dueAt) return;
    this.#scheduled.set(key, dueAt);
  }

  /** Milliseconds until the earliest scheduled run is due (undefined: none scheduled). */
  nextScheduledInMs(): number | undefined {
    return this.#scheduled.earliestInMs();
  }

  /** Starts processing. Idempotent; a stopped queue cannot be started again. */
  start(): void {
    if (this.#state === "stopped") throw new Error("a stopped WorkQueue cannot be restarted");
    this.#state = "started";
    this.#pump();
  }

  /**
   * Drops every waiting and scheduled key and resolves once the runs in flight have ended
   * (their results are ignored, though `onError` still hears of failures). Idempotent.
   */
  stop(): Promise<void> {
    this.#state = "stopped";
    this.#scheduled.clear();
    this.#waiting.clear();
    this.#dirty.clear();
    this.#failures.clear();
    this.#resolveIfIdle();
    return this.whenIdle();
  }

  /**
   * Resolves when no key is waiting or running; scheduled keys do not count. For tests and
   * shutdown. Before `start()`, waiting keys keep it pending.
   */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#state === "started" && this.#running.size < this.#concurrency) {
      if (this.#yielding) return;
      if (this.#startedSinceTurn >= RUNS_PER_TURN) {
        this.#yieldTurn();
        return;
      }
      const next = this.#waiting.values().next();
      if (next.done === true) return;
      this.#waiting.delete(next.value);
      this.#running.add(next.value);
      this.#startedSinceTurn += 1;
      void this.#run(next.value); // never rejects: #run catches whatever `process` throws
    }
  }

  /** Lets timers and I/O run before the next runs start (see RUNS_PER_TURN). */
  #yieldTurn(): void {
    this.#yielding = true;
    setImmediate(() => {
      this.#yielding = false;
      this.#startedSinceTurn = 0;
      this.#pump();
    });
  }

  async #run(key: string): Promise<void> {
    let nextRunAfterMs: number | undefined;
    try {
      const { requeueAfterMs } = await this.#process(key);
      if (requeueAfterMs !== undefined) assertFiniteDelay(requeueAfterMs);
      this.#failures.delete(key);
      nextRunAfterMs = requeueAfterMs;
    } catch (error) {
      nextRunAfterMs = this.#retryAfterFailure(key, error);
    }
    this.#finish(key, nextRunAfterMs);
  }

  /** Decides the retry, tells `onError`, and returns the delay (undefined: no retry). */
  #retryAfterFailure(key: string, error: unknown): number | undefined {
    const plan = this.#retryPlan(key, error);
    try {
      this.#onError?.(key, error, plan);
    } catch {
      // A failing log hook must not take the queue down; the failure itself is handled below.
    }
    return plan.action === "terminal" ? undefined : plan.delayMs;
  }

  #retryPlan(key: string, error: unknown): RetryPlan {
    if (error instanceof TerminalError) {
      this.#failures.delete(key);
      return { action: "terminal" };
    }
    if (error instanceof RequeueNowError) {
      return { action: "requeue", delayMs: this.#requeueNowDelayMs };
    }
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delayMs = backoffDelayMs(failures, this.#random, this.#backoff);
    return { action: "backoff", delayMs, failures };
  }

  #finish(key: string, nextRunAfterMs: number | undefined): void {
    this.#running.delete(key);
    if (this.#state === "started") {
      if (this.#dirty.delete(key)) this.add(key);
      else if (nextRunAfterMs !== undefined) this.addAfter(key, nextRunAfterMs);
      this.#pump();
    }
    this.#resolveIfIdle();
  }

  #cancelScheduled(key: string): void {
    this.#scheduled.delete(key);
  }

  #isIdle(): boolean {
    return this.#waiting.size === 0 && this.#running.size === 0;
  }

  #resolveIfIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function assertFiniteDelay(delayMs: number): void {
  if (!Number.isFinite(delayMs)) throw new RangeError(`delay must be finite, got ${delayMs}`);
}

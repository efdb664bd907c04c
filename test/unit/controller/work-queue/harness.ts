// Shared by the WorkQueue tests: queues whose runs the test controls, on vitest's fake timers.
// Time is fake throughout; `random: () => 0.5` makes backoff jitter-free.
import { afterEach, beforeEach, vi } from "vitest";
import {
  WorkQueue,
  type ProcessResult,
  type RetryPlan,
  type WorkQueueOptions,
} from "../../../../src/controller/runtime/work-queue.ts";

export interface Gate {
  readonly key: string;
  readonly resolve: (result: ProcessResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A queue whose runs wait until the test opens their gate; records every run in order. */
export function gatedQueue(options: Partial<WorkQueueOptions> = {}): {
  queue: WorkQueue;
  gates: Gate[];
} {
  const gates: Gate[] = [];
  const queue = new WorkQueue({
    concurrency: 1,
    random: () => 0.5,
    process: (key) =>
      new Promise<ProcessResult>((resolve, reject) => gates.push({ key, resolve, reject })),
    ...options,
  });
  return { queue, gates };
}

/**
 * A started queue whose runs follow a script per call (a result, or an error to throw),
 * recording the time of every run and every retry plan.
 */
export function scriptedQueue(script: (call: number, key: string) => ProcessResult | Error): {
  queue: WorkQueue;
  runTimes: number[];
  plans: RetryPlan[];
} {
  const runTimes: number[] = [];
  const plans: RetryPlan[] = [];
  const queue = new WorkQueue({
    concurrency: 1,
    random: () => 0.5,
    process: (key) => {
      runTimes.push(Date.now());
      const outcome = script(runTimes.length, key);
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
    onError: (_key, _error, plan) => plans.push(plan),
  });
  queue.start();
  return { queue, runTimes, plans };
}

/** Lets every pending promise callback run (fake timers yield a real macrotask). */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

export function intervals(times: readonly number[]): number[] {
  return times.slice(1).map((time, i) => time - (times[i] ?? 0));
}

export function opened(gate: Gate | undefined): Gate {
  if (gate === undefined) throw new Error("expected a run to be waiting at its gate");
  return gate;
}

/** Fake timers from time 0 for every test of the calling file. */
export function useFakeTime(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

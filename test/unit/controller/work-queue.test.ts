import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Clock } from "../../../src/controller/runtime/clock.ts";
import { RequeueNowError, TerminalError } from "../../../src/controller/runtime/errors.ts";
import {
  WorkQueue,
  type ProcessResult,
  type RetryPlan,
  type WorkQueueOptions,
} from "../../../src/controller/runtime/work-queue.ts";

// Time is vitest's fake timers throughout; `random: () => 0.5` makes backoff jitter-free.

interface Gate {
  readonly key: string;
  readonly resolve: (result: ProcessResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A queue whose runs wait until the test opens their gate; records every run in order. */
function gatedQueue(options: Partial<WorkQueueOptions> = {}): {
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
function scriptedQueue(script: (call: number, key: string) => ProcessResult | Error): {
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
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

function intervals(times: readonly number[]): number[] {
  return times.slice(1).map((time, i) => time - (times[i] ?? 0));
}

function opened(gate: Gate | undefined): Gate {
  if (gate === undefined) throw new Error("expected a run to be waiting at its gate");
  return gate;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("WorkQueue: keys", () => {
  it("de-duplicates keys that are waiting", async () => {
    const runs: string[] = [];
    const queue = new WorkQueue({
      concurrency: 2,
      process: (key) => {
        runs.push(key);
        return Promise.resolve({});
      },
    });
    queue.add("a");
    queue.add("b");
    queue.add("a");
    queue.add("a");
    expect(queue.size).toBe(2);
    queue.start();
    await queue.whenIdle();
    expect(runs).toEqual(["a", "b"]);
  });

  it("runs one key at most once at a time, and once more if it was added meanwhile", async () => {
    const { queue, gates } = gatedQueue({ concurrency: 4 });
    queue.start();
    queue.add("a");
    queue.add("a");
    queue.add("a");
    expect(gates.map((gate) => gate.key)).toEqual(["a"]);
    expect([queue.inFlight, queue.size]).toEqual([1, 0]);

    opened(gates[0]).resolve({});
    await settle();
    expect(gates.map((gate) => gate.key)).toEqual(["a", "a"]);
    expect(queue.inFlight).toBe(1);

    opened(gates[1]).resolve({});
    await queue.whenIdle();
    expect(gates).toHaveLength(2);
  });

  it("never runs more keys at once than its concurrency", async () => {
    let running = 0;
    let mostRunning = 0;
    const done: string[] = [];
    const queue = new WorkQueue({
      concurrency: 3,
      process: async (key) => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 100));
        running--;
        done.push(key);
        return {};
      },
    });
    queue.start();
    const keys = Array.from({ length: 10 }, (_, i) => `ns/token-${i}`);
    for (const key of keys) queue.add(key);
    expect([queue.inFlight, queue.size]).toEqual([3, 7]);
    await vi.advanceTimersByTimeAsync(400);
    await queue.whenIdle();
    expect(mostRunning).toBe(3);
    expect(done).toEqual(keys);
  });

  it("holds keys added before start()", async () => {
    const { queue, gates } = gatedQueue();
    queue.add("a");
    await settle();
    expect(gates).toHaveLength(0);
    queue.start();
    expect(gates).toHaveLength(1);
    queue.start();
    expect(gates).toHaveLength(1);
  });

  it("rejects a concurrency that is not a positive integer", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => new WorkQueue({ concurrency, process: () => Promise.resolve({}) })).toThrow(
        RangeError,
      );
    }
  });
});

describe("WorkQueue: scheduling", () => {
  it("runs again after requeueAfterMs", async () => {
    const { queue, runTimes } = scriptedQueue((call) =>
      call === 1 ? { requeueAfterMs: 5000 } : {},
    );
    queue.add("a");
    await vi.advanceTimersByTimeAsync(4999);
    expect(runTimes).toEqual([0]);
    expect(queue.scheduled).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runTimes).toEqual([0, 5000]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runTimes).toEqual([0, 5000]);
  });

  it("keeps the earliest of several delayed adds", async () => {
    const { queue, runTimes } = scriptedQueue(() => ({}));
    queue.addAfter("a", 5000);
    queue.addAfter("a", 1000);
    queue.addAfter("a", 3000);
    expect(queue.scheduled).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runTimes).toEqual([1000]);
  });

  it("lets an immediate add replace a scheduled run", async () => {
    const { queue, runTimes } = scriptedQueue(() => ({}));
    queue.addAfter("a", 1000);
    queue.add("a");
    expect(queue.scheduled).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runTimes).toEqual([0]);
  });

  it("treats a delay of zero or less as an immediate add", async () => {
    const { queue, runTimes } = scriptedQueue(() => ({}));
    queue.addAfter("a", 0);
    queue.addAfter("b", -500);
    await queue.whenIdle();
    expect(runTimes).toEqual([0, 0]);
  });

  it("ignores a delayed add for a key that is already waiting", async () => {
    const { queue, gates } = gatedQueue();
    queue.start();
    queue.add("busy");
    queue.add("a");
    queue.addAfter("a", 1000);
    expect(queue.scheduled).toBe(0);
    opened(gates[0]).resolve({});
    await settle();
    opened(gates[1]).resolve({});
    await vi.advanceTimersByTimeAsync(10_000);
    expect(gates.map((gate) => gate.key)).toEqual(["busy", "a"]);
  });

  it("keeps an earlier delayed add made during a run over the run's requeueAfterMs", async () => {
    const { queue, gates } = gatedQueue();
    queue.start();
    queue.add("a");
    queue.addAfter("a", 2000);
    opened(gates[0]).resolve({ requeueAfterMs: 10_000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(gates).toHaveLength(2);
  });

  it("re-runs a key added during its run at once, superseding the run's requeueAfterMs", async () => {
    const { queue, gates } = gatedQueue();
    queue.start();
    queue.add("a");
    queue.add("a");
    opened(gates[0]).resolve({ requeueAfterMs: 1000 });
    await settle();
    expect(gates).toHaveLength(2);
    expect(queue.scheduled).toBe(0);
  });

  it("rejects NaN and infinite delays", () => {
    const { queue } = scriptedQueue(() => ({}));
    for (const delay of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => queue.addAfter("a", delay)).toThrow(RangeError);
    }
  });

  it("resolves whenIdle while runs are only scheduled", async () => {
    const { queue } = scriptedQueue(() => ({ requeueAfterMs: 60_000 }));
    queue.add("a");
    await queue.whenIdle();
    expect([queue.size, queue.inFlight, queue.scheduled]).toEqual([0, 0, 1]);
  });

  it("uses an injected clock", () => {
    const timers: { callback: () => void; delayMs: number }[] = [];
    const clock: Clock = {
      now: () => 1_000_000,
      schedule: (callback, delayMs) => {
        timers.push({ callback, delayMs });
        return () => undefined;
      },
    };
    const runs: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      clock,
      process: (key) => {
        runs.push(key);
        return Promise.resolve({});
      },
    });
    queue.start();
    queue.addAfter("a", 750);
    expect(timers.map((timer) => timer.delayMs)).toEqual([750]);
    timers[0]?.callback();
    expect(runs).toEqual(["a"]);
  });
});

describe("WorkQueue: failures", () => {
  it("backs off exponentially per key, capped at 60 s", async () => {
    const { queue, runTimes, plans } = scriptedQueue(() => new Error("API server unavailable"));
    queue.add("a");
    await vi.advanceTimersByTimeAsync(300_000);
    expect(intervals(runTimes).slice(0, 12)).toEqual([
      200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200, 60_000, 60_000, 60_000,
    ]);
    expect(plans.slice(0, 3)).toEqual([
      { action: "backoff", delayMs: 200, failures: 1 },
      { action: "backoff", delayMs: 400, failures: 2 },
      { action: "backoff", delayMs: 800, failures: 3 },
    ]);
  });

  it("jitters backoff with the injected random source", async () => {
    const plans: RetryPlan[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      random: () => 0,
      process: () => Promise.reject(new Error("boom")),
      onError: (_key, _error, plan) => plans.push(plan),
    });
    queue.start();
    queue.add("a");
    await vi.advanceTimersByTimeAsync(160);
    expect(plans).toEqual([
      { action: "backoff", delayMs: 160, failures: 1 },
      { action: "backoff", delayMs: 320, failures: 2 },
    ]);
  });

  it("keeps backoff separate per key", async () => {
    const { queue, plans } = scriptedQueue((_call, key) =>
      key.endsWith("bad") ? new Error("boom") : {},
    );
    queue.add("bad");
    await vi.advanceTimersByTimeAsync(600);
    queue.add("good");
    queue.add("other-bad");
    await settle();
    expect(plans.map((plan) => plan.action === "backoff" && plan.failures)).toEqual([1, 2, 3, 1]);
  });

  it("resets backoff after a success", async () => {
    const script = [new Error("1"), new Error("2"), { requeueAfterMs: 1000 }, new Error("3")];
    const { queue, runTimes, plans } = scriptedQueue((call) => script[call - 1] ?? {});
    queue.add("a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(intervals(runTimes)).toEqual([200, 400, 1000, 200]);
    expect(plans.map((plan) => plan.action === "backoff" && plan.failures)).toEqual([1, 2, 1]);
  });

  it("requeues a RequeueNowError after a short fixed delay, leaving backoff as it was", async () => {
    const script = [
      new Error("1"),
      new Error("2"),
      new RequeueNowError("conflict"),
      new Error("3"),
    ];
    const { queue, runTimes, plans } = scriptedQueue((call) => script[call - 1] ?? {});
    queue.add("a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(intervals(runTimes)).toEqual([200, 400, 100, 800]);
    expect(plans[2]).toEqual({ action: "requeue", delayMs: 100 });
    expect(plans[3]).toEqual({ action: "backoff", delayMs: 800, failures: 3 });
  });

  it("does not retry a TerminalError until the key is added again, then starts backoff afresh", async () => {
    const script = [new Error("1"), new TerminalError("invalid spec"), new Error("2")];
    const { queue, runTimes, plans } = scriptedQueue((call) => script[call - 1] ?? {});
    queue.add("a");
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(runTimes).toEqual([0, 200]);
    expect(plans[1]).toEqual({ action: "terminal" });
    expect(queue.scheduled).toBe(0);

    queue.add("a");
    await settle();
    expect(runTimes).toHaveLength(3);
    expect(plans[2]).toEqual({ action: "backoff", delayMs: 200, failures: 1 });
  });

  it("survives synchronous throws, non-Error rejections, bad results and a throwing onError", async () => {
    const runs: string[] = [];
    const errors: unknown[] = [];
    const queue = new WorkQueue({
      concurrency: 2,
      random: () => 0.5,
      process: (key) => {
        runs.push(key);
        if (key === "sync") throw new Error("thrown synchronously");
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- on purpose
        if (key === "string") return Promise.reject("a string");
        if (key === "nan") return Promise.resolve({ requeueAfterMs: Number.NaN });
        return Promise.resolve({});
      },
      onError: (key, error) => {
        errors.push(error);
        throw new Error(`log hook failed for ${key}`);
      },
    });
    queue.start();
    for (const key of ["sync", "string", "nan"]) queue.add(key);
    await queue.whenIdle();
    expect(errors).toEqual([new Error("thrown synchronously"), "a string", expect.any(RangeError)]);
    expect(queue.scheduled).toBe(3);

    queue.add("healthy");
    await vi.advanceTimersByTimeAsync(200);
    expect(runs).toEqual(["sync", "string", "nan", "healthy", "sync", "string", "nan"]);
  });
});

describe("WorkQueue: stop", () => {
  it("waits for runs in flight, drops waiting and scheduled keys, and ignores later adds", async () => {
    const { queue, gates } = gatedQueue();
    queue.start();
    queue.add("running");
    queue.add("waiting");
    queue.addAfter("scheduled", 1000);

    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    expect([queue.size, queue.scheduled, queue.inFlight]).toEqual([0, 0, 1]);
    expect(vi.getTimerCount()).toBe(0);
    await settle();
    expect(stopped).toBe(false);

    opened(gates[0]).resolve({ requeueAfterMs: 10 });
    await stopping;
    queue.add("late");
    queue.addAfter("late", 10);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(gates.map((gate) => gate.key)).toEqual(["running"]);
    expect([queue.size, queue.scheduled, queue.inFlight]).toEqual([0, 0, 0]);
  });

  it("still reports a failure that ends a run after stop, without retrying it", async () => {
    const plans: RetryPlan[] = [];
    const { queue, gates } = gatedQueue({ onError: (_key, _error, plan) => plans.push(plan) });
    queue.start();
    queue.add("a");
    const stopping = queue.stop();
    opened(gates[0]).reject(new Error("interrupted"));
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(plans).toHaveLength(1);
    expect(gates).toHaveLength(1);
  });

  it("resolves at once when nothing runs, is idempotent, and cannot be restarted", async () => {
    const { queue } = gatedQueue();
    queue.add("never-started");
    const idle = queue.whenIdle();
    await queue.stop();
    await idle;
    await queue.stop();
    expect(() => queue.start()).toThrow(/cannot be restarted/);
  });
});

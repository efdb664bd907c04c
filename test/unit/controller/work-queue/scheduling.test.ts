import { describe, expect, it, vi } from "vitest";
import type { Clock } from "../../../../src/k8s/clock.ts";
import { WorkQueue } from "../../../../src/controller/runtime/work-queue.ts";
import { gatedQueue, scriptedQueue, settle, opened, useFakeTime } from "./harness.ts";

useFakeTime();

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

  it("says when its earliest scheduled run is due", async () => {
    const { queue } = scriptedQueue(() => ({}));
    expect(queue.nextScheduledInMs()).toBeUndefined();
    queue.addAfter("a", 5000);
    queue.addAfter("b", 1000);
    expect(queue.nextScheduledInMs()).toBe(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(queue.nextScheduledInMs()).toBe(4000);
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

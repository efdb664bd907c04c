import { describe, expect, it, vi } from "vitest";
import { RequeueNowError, TerminalError } from "../../../../src/controller/runtime/errors.ts";
import { WorkQueue, type RetryPlan } from "../../../../src/controller/runtime/work-queue.ts";
import { scriptedQueue, settle, intervals, useFakeTime } from "./harness.ts";

useFakeTime();

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

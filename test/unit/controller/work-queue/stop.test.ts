import { describe, expect, it, vi } from "vitest";
import { type RetryPlan } from "../../../../src/controller/runtime/work-queue.ts";
import { gatedQueue, settle, opened, useFakeTime } from "./harness.ts";

useFakeTime();

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

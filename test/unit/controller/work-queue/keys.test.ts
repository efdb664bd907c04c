import { describe, expect, it, vi } from "vitest";
import { WorkQueue } from "../../../../src/controller/runtime/work-queue.ts";
import { gatedQueue, settle, opened, useFakeTime } from "./harness.ts";

useFakeTime();

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

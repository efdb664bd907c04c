import { describe, expect, it } from "vitest";
import { RUNS_PER_TURN, WorkQueue } from "../../../../src/controller/runtime/work-queue.ts";

// Real timers: what is asserted is that the event loop gets a turn (setImmediate, I/O) while
// runs that need no I/O keep the queue busy.
describe("WorkQueue turns", () => {
  it("lets the event loop run between batches of runs that never wait for I/O", async () => {
    const keys = RUNS_PER_TURN * 20;
    let processed = 0;
    const queue = new WorkQueue({
      concurrency: 8,
      process: () => {
        processed += 1;
        return Promise.resolve({});
      },
    });
    for (let i = 0; i < keys; i++) queue.add(`key-${i}`);
    const seenByTheEventLoop = new Promise<number>((resolve) =>
      setImmediate(() => resolve(processed)),
    );
    queue.start();
    const atFirstTurn = await seenByTheEventLoop;
    await queue.whenIdle();
    expect(processed).toBe(keys);
    expect(atFirstTurn).toBeGreaterThan(0);
    expect(atFirstTurn).toBeLessThan(keys);
    await queue.stop();
  });

  it("does not start yielded runs once stopped", async () => {
    let processed = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      process: () => {
        processed += 1;
        return Promise.resolve({});
      },
    });
    for (let i = 0; i < RUNS_PER_TURN * 3; i++) queue.add(`key-${i}`);
    queue.start();
    await Promise.resolve();
    await queue.stop();
    const atStop = processed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(processed).toBe(atStop);
    expect(atStop).toBeLessThanOrEqual(RUNS_PER_TURN);
  });
});

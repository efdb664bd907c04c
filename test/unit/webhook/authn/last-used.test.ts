import { afterEach, describe, expect, it, vi } from "vitest";
import { KubeApiError } from "../../../../src/k8s/errors.ts";
import {
  lastUsedWriteNeeded,
  LastUsedTracker,
  type LastUsedOptions,
  type LastUsedOutcome,
} from "../../../../src/webhook/authn/last-used.ts";
import { silentLog } from "../fixtures.ts";

const INTERVAL = 60_000;
const T0 = Date.parse("2025-06-01T12:00:00Z");
const at = (ms: number): Date => new Date(T0 + ms);

/** A fake API: status per token, every write recorded and reflected in the "cache". */
function fakeWorld(options: Partial<LastUsedOptions> = {}) {
  const status = new Map<string, Date | undefined>([
    ["prod/ci", undefined],
    ["prod/other", undefined],
  ]);
  const writes: { tokenKey: string; lastUsedAt: string }[] = [];
  const outcomes: LastUsedOutcome[] = [];
  const tracker = new LastUsedTracker({
    intervalMs: INTERVAL,
    cachedStatus: (tokenKey) =>
      status.has(tokenKey) ? { lastUsedAt: status.get(tokenKey) } : undefined,
    write: async (tokenKey, lastUsedAt) => {
      writes.push({ tokenKey, lastUsedAt: lastUsedAt.toISOString() });
      status.set(tokenKey, lastUsedAt);
      return Promise.resolve();
    },
    log: silentLog,
    onOutcome: (outcome) => outcomes.push(outcome),
    ...options,
  });
  return { tracker, status, writes, outcomes };
}

describe("lastUsedWriteNeeded", () => {
  it.each([
    ["never used before", 1000, undefined, true],
    ["status already at the use", 1000, 1000, false],
    ["status newer than the use (another replica)", 1000, 5000, false],
    ["status within the tolerance", 30_000, 1000, false],
    ["status older than the tolerance", 31_001, 1000, true],
  ] as const)("%s", (_case, usedAt, covered, expected) => {
    expect(lastUsedWriteNeeded(usedAt, covered, 30_000)).toBe(expected);
  });
});

describe("LastUsedTracker", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes nothing on record: only a flush writes", async () => {
    const { tracker, writes } = fakeWorld();
    tracker.record("prod/ci", at(0));
    expect(writes).toEqual([]);
    await tracker.flush();
    expect(writes).toEqual([{ tokenKey: "prod/ci", lastUsedAt: "2025-06-01T12:00:00.000Z" }]);
  });

  it("writes the latest of many uses once per flush, per token", async () => {
    const { tracker, writes } = fakeWorld();
    for (let i = 0; i < 1000; i++) tracker.record("prod/ci", at(i * 50)); // 50 s of traffic
    tracker.record("prod/other", at(10_000));
    await tracker.flush();
    expect(writes).toEqual([
      { tokenKey: "prod/ci", lastUsedAt: "2025-06-01T12:00:49.000Z" },
      { tokenKey: "prod/other", lastUsedAt: "2025-06-01T12:00:10.000Z" },
    ]);
    await tracker.flush();
    expect(writes).toHaveLength(2);
  });

  it("keeps a busy token to one write per interval and a fresh status", async () => {
    const { tracker, writes } = fakeWorld();
    // Five minutes of steady use, a flush at the end of each minute.
    for (let minute = 0; minute < 5; minute++) {
      for (let s = 0; s < 60; s++) tracker.record("prod/ci", at((minute * 60 + s) * 1000));
      await tracker.flush();
    }
    expect(writes.map((w) => w.lastUsedAt)).toEqual([
      "2025-06-01T12:00:59.000Z",
      "2025-06-01T12:01:59.000Z",
      "2025-06-01T12:02:59.000Z",
      "2025-06-01T12:03:59.000Z",
      "2025-06-01T12:04:59.000Z",
    ]);
  });

  it("skips a write the status already covers (another replica wrote it)", async () => {
    const { tracker, status, writes, outcomes } = fakeWorld();
    status.set("prod/ci", at(20_000));
    tracker.record("prod/ci", at(45_000)); // within half an interval of the status
    tracker.record("prod/other", at(45_000));
    status.set("prod/other", at(50_000)); // newer than our use
    await tracker.flush();
    expect(writes).toEqual([]);
    expect(outcomes.sort()).toEqual(["skipped", "skipped"]);
  });

  it("writes when the status is older than the tolerance", async () => {
    const { tracker, status, writes } = fakeWorld();
    status.set("prod/ci", at(0));
    tracker.record("prod/ci", at(31_000));
    await tracker.flush();
    expect(writes).toHaveLength(1);
  });

  it("remembers its own writes when the cache lags behind", async () => {
    const { tracker, writes } = fakeWorld({
      cachedStatus: () => ({ lastUsedAt: undefined }), // the watch never delivers our write
      write: async (tokenKey, lastUsedAt) => {
        writes.push({ tokenKey, lastUsedAt: lastUsedAt.toISOString() });
        return Promise.resolve();
      },
    });
    tracker.record("prod/ci", at(0));
    await tracker.flush();
    tracker.record("prod/ci", at(10_000));
    await tracker.flush();
    expect(writes).toHaveLength(1);
  });

  it("drops tokens that are gone: not in the cache, or 404 on write", async () => {
    const { tracker, writes, outcomes } = fakeWorld({
      write: () => Promise.reject(new KubeApiError(404, "NotFound", "gone")),
    });
    tracker.record("prod/deleted", at(0));
    tracker.record("prod/ci", at(0));
    await tracker.flush();
    expect(writes).toEqual([]);
    expect(outcomes).toEqual(["gone", "gone"]);
    expect(tracker.pendingCount).toBe(0);
  });

  it("retries a failed write at the next flush, keeping the newest use", async () => {
    let fail = true;
    const written: string[] = [];
    const { tracker, outcomes } = fakeWorld({
      write: async (_key, lastUsedAt) => {
        if (fail) throw new KubeApiError(500, "InternalError", "etcd is sad");
        written.push(lastUsedAt.toISOString());
        return Promise.resolve();
      },
    });
    tracker.record("prod/ci", at(0));
    await tracker.flush();
    expect(outcomes).toEqual(["failed"]);
    expect(tracker.pendingCount).toBe(1);
    fail = false;
    tracker.record("prod/ci", at(5_000));
    await tracker.flush();
    expect(written).toEqual(["2025-06-01T12:00:05.000Z"]);
  });

  it("flushes on its own every interval, and once more on stop", async () => {
    vi.useFakeTimers({ now: T0 });
    const { tracker, writes } = fakeWorld();
    tracker.start();
    tracker.record("prod/ci", new Date());
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toHaveLength(1);
    // 1,000 uses within the next minute: at most one more write, at the next tick.
    for (let i = 0; i < 1000; i++) {
      tracker.record("prod/ci", new Date());
      await vi.advanceTimersByTimeAsync(59);
    }
    expect(writes.length).toBeLessThanOrEqual(2);
    tracker.record("prod/other", new Date());
    await tracker.stop();
    expect(writes.at(-1)?.tokenKey).toBe("prod/other");
    const count = writes.length;
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(writes).toHaveLength(count);
  });

  it("runs one flush at a time", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { tracker } = fakeWorld({
      write: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
      },
      concurrency: 1,
    });
    tracker.record("prod/ci", at(0));
    const first = tracker.flush();
    tracker.record("prod/other", at(0));
    const second = tracker.flush();
    await Promise.all([first, second]);
    expect(maxInFlight).toBe(1);
  });
});

// Readiness, decisions and log lines as the caches lag: current, lagging within the bound
// (decide, but say so), lagging past it (refuse: fail closed).
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { CacheFreshness } from "../../../../src/webhook/cache/freshness.ts";
import { createWebhookMetrics } from "../../../../src/webhook/metrics.ts";

const BOUND_MS = 60_000;

function freshnessOf(state: { synced: boolean; staleMs: number }): {
  freshness: CacheFreshness;
  counted: () => Promise<Record<string, number>>;
} {
  const metrics = createWebhookMetrics(false);
  const freshness = new CacheFreshness(
    { hasSynced: () => state.synced, staleForMs: () => state.staleMs },
    BOUND_MS,
    metrics.staleDecisions,
  );
  const counted = async (): Promise<Record<string, number>> => {
    const { values } = await metrics.staleDecisions.get();
    return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
  };
  return { freshness, counted };
}

describe("CacheFreshness", () => {
  it.each([
    // synced, stale for, ready, decides, counted as, log field
    [false, Number.POSITIVE_INFINITY, false, false, {}, undefined],
    [true, 0, true, true, {}, undefined],
    [true, 999, true, true, {}, undefined],
    [true, 1_000, true, true, { served: 1 }, 1],
    [true, 60_000, true, true, { served: 1 }, 60],
    [true, 60_001, false, false, { refused: 1 }, 60],
    [true, 3_600_000, false, false, { refused: 1 }, 3600],
  ] as const)(
    "synced=%s, stale %s ms: ready=%s, decides=%s",
    async (synced, staleMs, ready, decides, counts, logField) => {
      const { freshness, counted } = freshnessOf({ synced, staleMs });
      expect(freshness.isCurrent()).toBe(ready);
      expect(freshness.admitDecision()).toBe(decides);
      expect(await counted()).toEqual(counts);
      expect(freshness.annotateLog({ msg: "x" })).toEqual(
        logField === undefined ? { msg: "x" } : { msg: "x", cacheStaleSeconds: logField },
      );
    },
  );

  it("marks every line of the HTTP logger while the caches lag, and only then", () => {
    const state = { synced: true, staleMs: 0 };
    const { freshness } = freshnessOf(state);
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pino(sink).child(
      { component: "http" },
      { formatters: { log: freshness.annotateLog } },
    );
    log.info({ tokenId: "a" }, "token authenticated");
    state.staleMs = 42_000;
    log.info({ tokenId: "b" }, "token authenticated");
    expect(lines.map((line) => [line.tokenId, line.cacheStaleSeconds])).toEqual([
      ["a", undefined],
      ["b", 42],
    ]);
  });
});

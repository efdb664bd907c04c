// Successes served from the verdict cache are counted on their kept entry, not noted one by one
// (record 91). What the success log and last used show must not change: a token's first
// success, and its first after a quiet interval, are logged at once; every success is counted
// in some line; while the caches lag each success has its own line; last used reaches status.
// Counts on an entry that an event forgets are not lost.
import { Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../../src/log.ts";
import { hashToken } from "../../../../src/tokens/index.ts";
import type { AuthenticationEndpoint } from "../../../../src/webhook/metrics.ts";
import { createWebhookMetrics } from "../../../../src/webhook/metrics.ts";
import type { CachedFacts } from "../../../../src/webhook/cache/cached-facts.ts";
import {
  trimHashRecord,
  trimServiceToken,
  trimServiceUser,
} from "../../../../src/webhook/cache/trim.ts";
import type { WebhookDeps } from "../../../../src/webhook/http/deps.ts";
import { runAuthentication } from "../../../../src/webhook/http/routes/run-authentication.ts";
import { useBookkeeping } from "../../../../src/webhook/use-bookkeeping.ts";
import { ManualClock } from "../../manual-clock.ts";
import {
  factsOf,
  issue,
  NOW,
  pinnedTo,
  serviceToken,
  serviceUser,
  silentLog,
  type IssuedToken,
} from "../fixtures.ts";

const INTERVAL = 10_000;
const user = serviceUser("ci-bot");
const names = ["a", "b", "c"];
const tokens = names.map((name) => serviceToken(name, { expiresInDays: 30 }));
const issued: IssuedToken[] = tokens.map((token) => issue(token));

type Line = Record<string, unknown>;

/** The service's bookkeeping over facts holding three tokens of one user, on a manual clock. */
function world() {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        lines.push(JSON.parse(line) as Line);
      }
      done();
    },
  });
  const facts = factsOf({ users: [user], tokens, records: issued.map((i) => i.record) });
  const clock = new ManualClock(NOW.getTime());
  const state = { lagging: false };
  const writes: { tokenKey: string; atMs: number }[] = [];
  const bookkeeping = useBookkeeping({
    facts,
    freshness: { isLagging: () => state.lagging },
    log: silentLog,
    httpLog: createLogger("info", sink),
    metrics: createWebhookMetrics(false),
    lastUsedFlushMs: INTERVAL,
    writeLastUsed: (tokenKey, lastUsedAt) => {
      writes.push({ tokenKey, atMs: lastUsedAt.getTime() });
      return Promise.resolve();
    },
    clock,
  });
  const deps = {
    facts,
    hasSynced: () => true,
    ...bookkeeping.hooks,
    metrics: createWebhookMetrics(false),
    log: silentLog,
    now: () => new Date(clock.now()),
  } as unknown as WebhookDeps;
  bookkeeping.successLog.start();
  const authenticate = (index: number, endpoint: AuthenticationEndpoint = "authenticate") => {
    const decision = runAuthentication(deps, endpoint, issued[index]?.value ?? "", []);
    expect(decision).toMatchObject({ authenticated: true });
  };
  const kept = (index: number) =>
    facts.verdicts.get(hashToken(issued[index]?.value ?? ""), clock.now());
  return { facts, clock, state, lines, writes, bookkeeping, authenticate, kept };
}

const countsOf = (lines: Line[], name: string, endpoint = "authenticate"): unknown[] =>
  lines
    .filter((line) => line.serviceToken === `prod/${name}` && line.endpoint === endpoint)
    .map((line) => line.count);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("uses counted on kept successes", () => {
  it("log a busy token's first success at once and the rest at the interval's end", async () => {
    const { clock, lines, authenticate, kept } = world();
    for (let i = 0; i < 501; i++) authenticate(0);
    await nextTurn();
    expect(countsOf(lines, "a")).toEqual([1]);
    // The second went through the success log (the first served from the kept entry); the
    // 499 after it were counted on the entry, not noted one by one.
    expect(kept(0)).toMatchObject({ authenticateUses: 499, verifyUses: 0 });

    clock.advance(INTERVAL);
    expect(countsOf(lines, "a")).toEqual([1, 500]);
    expect(kept(0)).toMatchObject({ authenticateUses: 0, verifyUses: 0 });
  });

  it("log a kept token's first success on another endpoint at once", async () => {
    const { lines, authenticate, kept } = world();
    for (let i = 0; i < 3; i++) authenticate(0);
    authenticate(0, "verify");
    await nextTurn();
    expect([countsOf(lines, "a"), countsOf(lines, "a", "verify")]).toEqual([[1], [1]]);
    authenticate(0, "verify");
    authenticate(0, "verify");
    expect(kept(0)).toMatchObject({ authenticateUses: 1, verifyUses: 2 });
  });

  it("log the first success after the caches stopped lagging at once, its line gone", async () => {
    const { clock, state, lines, authenticate } = world();
    authenticate(0);
    authenticate(0);
    state.lagging = true;
    clock.advance(INTERVAL); // the second success's line
    clock.advance(5_000);
    authenticate(0); // its own line, while lagging
    clock.advance(5_000); // nothing pending for a whole interval: the token's line is forgotten
    state.lagging = false;
    clock.advance(1_000);
    authenticate(0);
    await nextTurn();
    expect(countsOf(lines, "a")).toEqual([1, 1, 1, 1]);
  });

  it("log a token's first success after a quiet interval at once, though it is kept", async () => {
    const { clock, lines, authenticate, kept } = world();
    authenticate(1);
    clock.advance(INTERVAL);
    clock.advance(INTERVAL);
    expect(kept(1)).toBeDefined();
    authenticate(1);
    authenticate(1);
    await nextTurn();
    expect(countsOf(lines, "b")).toEqual([1, 1]);
    clock.advance(INTERVAL);
    expect(countsOf(lines, "b")).toEqual([1, 1, 1]);
  });

  it("log every success on its own line while the caches lag", async () => {
    const { state, lines, authenticate, kept } = world();
    authenticate(2);
    state.lagging = true;
    for (let i = 0; i < 3; i++) authenticate(2);
    await nextTurn();
    expect(countsOf(lines, "c")).toEqual([1, 1, 1, 1]);
    expect(kept(2)).toMatchObject({ authenticateUses: 0 });
  });

  it("reach last used at its flush, at the latest use's second", async () => {
    const { clock, writes, bookkeeping, authenticate } = world();
    authenticate(0);
    clock.advance(4_500);
    authenticate(0);
    authenticate(0);
    await bookkeeping.lastUsed.flush();
    expect(writes).toEqual([{ tokenKey: "prod/a", atMs: NOW.getTime() + 4_000 }]);
  });

  // Each call changes what the entry was made of, and never the same way twice (an event that
  // changes nothing forgets nothing): the token's lifetime, the user's teams, another token's
  // hash record.
  let changes = 0;
  const forgetting: [string, (facts: CachedFacts) => void][] = [
    [
      "the token",
      (facts) => {
        const token = serviceToken("a", { expiresInDays: 30 + ++changes });
        const object = trimServiceToken(pinnedTo(token, issued[0]?.record ?? {}));
        facts.applyServiceToken({ type: "upsert", object });
      },
    ],
    [
      "its user",
      (facts) => {
        const object = trimServiceUser(serviceUser("ci-bot", { teams: [`t${++changes}`] }));
        facts.applyServiceUser({ type: "upsert", object });
      },
    ],
    [
      "any hash record",
      (facts) => {
        const object = trimHashRecord(issue(serviceToken(`other-${++changes}`)).record);
        facts.applyHashRecord({ type: "upsert", object });
      },
    ],
  ];
  it.each(forgetting)(
    "are not lost when an event about %s forgets the entry",
    async (_about, event) => {
      const { facts, clock, lines, writes, bookkeeping, authenticate, kept } = world();
      authenticate(0);
      clock.advance(2_000);
      for (let i = 0; i < 7; i++) authenticate(0);
      event(facts);
      expect(kept(0)).toBeUndefined();
      clock.advance(INTERVAL);
      await bookkeeping.lastUsed.flush();
      expect(countsOf(lines, "a")).toEqual([1, 7]);
      expect(writes).toEqual([{ tokenKey: "prod/a", atMs: NOW.getTime() + 2_000 }]);
    },
  );

  it("add up to every success, per token and endpoint, whatever events and flushes come", async () => {
    type Step =
      | { kind: "request"; token: number; endpoint: AuthenticationEndpoint }
      | { kind: "advance"; ms: number }
      | { kind: "event"; which: number }
      | { kind: "lastUsed" }
      | { kind: "lag"; on: boolean };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant("request" as const),
          token: fc.integer({ min: 0, max: 2 }),
          endpoint: fc.constantFrom<AuthenticationEndpoint>("authenticate", "verify"),
        }),
      },
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 25_000 }) }),
      fc.record({ kind: fc.constant("event" as const), which: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant("lastUsed" as const) }),
      fc.record({ kind: fc.constant("lag" as const), on: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { facts, clock, state, lines, writes, bookkeeping, authenticate } = world();
        const successes = new Map<string, number>();
        const lastUse = new Map<string, number>();
        for (const s of steps) {
          if (s.kind === "request") {
            authenticate(s.token, s.endpoint);
            const key = `prod/${names[s.token]} ${s.endpoint}`;
            successes.set(key, (successes.get(key) ?? 0) + 1);
            lastUse.set(`prod/${names[s.token]}`, clock.now());
          } else if (s.kind === "advance") clock.advance(s.ms);
          else if (s.kind === "event") forgetting[s.which]?.[1](facts);
          else if (s.kind === "lag") state.lagging = s.on;
          else await bookkeeping.lastUsed.flush();
          // Forgotten entries' uses wait in one record per token and value, however often.
          expect(facts.verdicts.retiredCount).toBeLessThanOrEqual(names.length);
        }
        bookkeeping.successLog.stop();
        await bookkeeping.lastUsed.flush();
        const logged = new Map<string, number>();
        for (const line of lines) {
          const key = `${String(line.serviceToken)} ${String(line.endpoint)}`;
          logged.set(key, (logged.get(key) ?? 0) + Number(line.count));
        }
        expect(logged).toEqual(successes);
        // Each used token's last write is its latest use, to the second, within the tolerance
        // that skips a write the status (here: this replica's own last write) already covers.
        for (const [tokenKey, atMs] of lastUse) {
          const written = writes.filter((w) => w.tokenKey === tokenKey).map((w) => w.atMs);
          const latest = Math.max(...written);
          expect(latest).toBeLessThanOrEqual(atMs);
          expect(atMs - latest).toBeLessThan(1_000 + INTERVAL / 2);
        }
        expect(new Set(writes.map((w) => w.tokenKey))).toEqual(new Set(lastUse.keys()));
      }),
      { numRuns: 200, seed: 91 },
    );
  });
});

// A kept success (authn/verdict-cache.ts) answers a token's next request only while nothing
// it was made of changed: each change an informer can bring must be seen on the very next
// request, as a decision made in full would see it.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { hashToken } from "../../../../src/tokens/index.ts";
import { decideAuthentication } from "../../../../src/webhook/authn/decide.ts";
import {
  TOKEN_REVIEW_API_VERSIONS,
  tokenReviewResponse,
} from "../../../../src/webhook/authn/token-review.ts";
import { VerdictCache } from "../../../../src/webhook/authn/verdict-cache.ts";
import type { CachedFacts } from "../../../../src/webhook/cache/cached-facts.ts";
import {
  trimHashRecord,
  trimServiceToken,
  trimServiceUser,
} from "../../../../src/webhook/cache/trim.ts";
import {
  DAY_MS,
  OPERATOR_NAMESPACE,
  factsOf,
  issue,
  NOW,
  pinnedTo,
  serviceToken,
  serviceUser,
  type TokenOptions,
  type UserOptions,
} from "../fixtures.ts";

const user = serviceUser("ci-bot", { teams: ["payments"] });
const token = serviceToken("ci", { expiresInDays: 30 });
const issued = issue(token);
const pinned = pinnedTo(token, issued.record);

/** Facts holding the token, its record and user, with the token's success kept. */
function keptWorld(): CachedFacts {
  const facts = factsOf({ users: [user], tokens: [token], records: [issued.record] });
  expect(decide(facts)).toMatchObject({ authenticated: true });
  expect(facts.verdicts.size).toBe(1);
  return facts;
}

const decide = (facts: CachedFacts, at = NOW, audiences: string[] = []) =>
  decideAuthentication(issued.value, audiences, facts, at);

const changedToken = (facts: CachedFacts, options: TokenOptions): void =>
  facts.applyServiceToken({
    type: "upsert",
    object: trimServiceToken(
      pinnedTo(serviceToken("ci", { expiresInDays: 30, ...options }), issued.record),
    ),
  });
const changedUser = (facts: CachedFacts, options: UserOptions): void =>
  facts.applyServiceUser({
    type: "upsert",
    object: trimServiceUser(serviceUser("ci-bot", { teams: ["payments"], ...options })),
  });
const deleted = (object: KubeObject): { type: "delete"; object: KubeObject } => ({
  type: "delete",
  object: { metadata: object.metadata },
});

describe("kept successes", () => {
  it("answer the token's next request from one lookup, the same decision as in full", () => {
    const facts = keptWorld();
    const kept = decide(facts);
    const full = decideAuthentication(
      issued.value,
      [],
      factsOf({ users: [user], tokens: [token], records: [issued.record] }),
      NOW,
    );
    expect(kept).toEqual(full);
    expect(Object.isFrozen(kept)).toBe(true);
  });

  const changes: [string, (facts: CachedFacts) => void, string][] = [
    ["the token revoked", (f) => changedToken(f, { revoked: true }), "revoked"],
    ["the token being deleted", (f) => changedToken(f, { deleting: true }), "deleting"],
    ["the token deleted", (f) => f.applyServiceToken(deleted(pinned)), "stale"],
    [
      "the token replaced (another uid)",
      (f) => changedToken(f, { uid: "uid-token-prod-ci-2" }),
      "stale",
    ],
    [
      "the token's pin moved to another value",
      (f) => changedToken(f, { status: { tokenId: "ffffffffffffffff" } }),
      "stale",
    ],
    ["the user deactivated", (f) => changedUser(f, { active: false }), "user-inactive"],
    ["the user deleted", (f) => f.applyServiceUser(deleted(user)), "user-missing"],
    [
      "the user recreated (another uid)",
      (f) => changedUser(f, { uid: "uid-user-2" }),
      "user-replaced",
    ],
    ["the hash record deleted", (f) => f.applyHashRecord(deleted(issued.record)), "unknown"],
  ];
  it.each(changes)("are forgotten when an event says %s", (_name, change, reason) => {
    const facts = keptWorld();
    change(facts);
    expect(decide(facts)).toMatchObject({ authenticated: false, reason });
  });

  it("are kept through events that change nothing they were made of", () => {
    const facts = keptWorld();
    const kept = facts.verdicts.get(hashToken(issued.value), NOW.getTime());
    expect(kept).toBeDefined();
    // A relist re-announces the token, the user and the record as they are; the controller
    // writes the user's status (counts, last used), which the webhook does not keep.
    facts.applyServiceToken({ type: "upsert", object: trimServiceToken(pinned) });
    facts.applyServiceUser({ type: "upsert", object: trimServiceUser(user) });
    facts.applyServiceUser({
      type: "upsert",
      object: trimServiceUser({ ...user, status: { tokens: { active: 1 }, lastUsedAt: "x" } }),
    });
    facts.applyHashRecord({ type: "upsert", object: trimHashRecord(issued.record) });
    // A Secret in the operator's namespace that is not a record, and never was one.
    facts.applyHashRecord({
      type: "upsert",
      object: { metadata: { name: "unrelated", namespace: OPERATOR_NAMESPACE } },
    });
    expect(facts.verdicts.get(hashToken(issued.value), NOW.getTime())).toBe(kept);
    expect(decide(facts)).toBe(kept?.success);
  });

  it("follow a role change of the user to the next request", () => {
    const facts = keptWorld();
    changedUser(facts, { role: "Admin" });
    const decision = decide(facts);
    if (!decision.authenticated) throw new Error(`refused: ${decision.reason}`);
    expect(decision.user.groups).toContain("svctokens:role:admin");
  });

  it("end at the token's expiry", () => {
    const facts = keptWorld();
    expect(decide(facts, new Date(NOW.getTime() + 40 * DAY_MS))).toMatchObject({
      authenticated: false,
      reason: "expired",
    });
  });

  it("are not used for, nor made by, requests that ask for audiences", () => {
    const facts = factsOf({ users: [user], tokens: [token], records: [issued.record] });
    expect(decide(facts, NOW, ["scim"])).toMatchObject({ authenticated: true });
    expect(facts.verdicts.size).toBe(0);
  });

  it("are not made for a token whose expiry depends on the clock (no status.createdAt)", () => {
    const facts = factsOf({ users: [user], tokens: [token], records: [issued.record] });
    facts.applyServiceToken({
      type: "upsert",
      object: trimServiceToken({ ...pinned, status: { tokenId: issued.tokenId } }),
    });
    expect(decide(facts)).toMatchObject({ authenticated: true });
    expect(facts.verdicts.size).toBe(0);
  });

  it("are forgotten, every one, when any hash record changes (a planted copy of a hash)", () => {
    const facts = keptWorld();
    facts.applyHashRecord({
      type: "upsert",
      object: trimHashRecord(issue(serviceToken("other")).record),
    });
    expect(facts.verdicts.size).toBe(0);
    expect(decide(facts)).toMatchObject({ authenticated: true });
  });
});

describe("VerdictCache", () => {
  const success = (tokenKey: string, serviceUser: string) =>
    ({
      authenticated: true,
      tokenKey,
      serviceUser,
      tokenId: "t",
      user: {},
      audiences: [],
    }) as never;

  it("stays bounded, the oldest entry going first, and forgets by token and by user", () => {
    const cache = new VerdictCache(2);
    cache.set("h1", success("prod/a", "u1"), Infinity);
    cache.set("h2", success("prod/b", "u1"), Infinity);
    cache.set("h3", success("prod/c", "u2"), Infinity);
    expect([cache.get("h1", 0), cache.size]).toEqual([undefined, 2]);
    cache.forgetToken("prod/c");
    expect(cache.get("h3", 0)).toBeUndefined();
    cache.set("h4", success("prod/d", "u1"), Infinity);
    cache.forgetUser("u1");
    expect([cache.get("h2", 0), cache.get("h4", 0), cache.size]).toEqual([undefined, undefined, 0]);
  });

  it("keeps one hash per token: a token's new value replaces its old one", () => {
    const cache = new VerdictCache();
    cache.set("old", success("prod/a", "u"), Infinity);
    cache.set("new", success("prod/a", "u"), Infinity);
    expect([cache.get("old", 0), cache.size]).toEqual([undefined, 1]);
  });

  it("keeps the uses counted on an entry it drops for room, for the success log and last used", () => {
    const cache = new VerdictCache(1);
    cache.set("h1", success("prod/a", "u"), Infinity).count("authenticate", 5_000);
    cache.set("h2", success("prod/b", "u"), Infinity);
    expect(cache.get("h1", 0)).toBeUndefined();
    const uses: unknown[] = [];
    cache.takeUses((taken, endpoint, count) => uses.push([taken.tokenKey, endpoint, count]));
    const lastUses: unknown[] = [];
    cache.takeLastUses((tokenKey, atMs) => lastUses.push([tokenKey, atMs]));
    expect([uses, lastUses]).toEqual([[["prod/a", "authenticate", 1]], [["prod/a", 5_000]]]);
    // Taken once: nothing is handed over twice.
    cache.takeUses((...taken) => uses.push(taken));
    cache.takeLastUses((...taken) => lastUses.push(taken));
    expect([uses.length, lastUses.length]).toEqual([1, 1]);
  });

  it("keeps a token's uses forgotten again and again in one record, each handed over once", () => {
    const cache = new VerdictCache();
    let counted = 0;
    for (let round = 1; round <= 100; round++) {
      for (const name of ["a", "b"]) {
        cache.set(`h-${name}`, success(`prod/${name}`, "u"), Infinity).count("verify", round);
        counted++;
      }
      cache.forgetAll();
      if (round % 10 === 5) cache.takeUses((_success, _endpoint, count) => (counted -= count));
      expect(cache.retiredCount).toBeLessThanOrEqual(2);
    }
    const uses: number[] = [];
    const lastUses: [string, number][] = [];
    cache.takeUses((_success, _endpoint, count) => uses.push(count));
    cache.takeLastUses((tokenKey, atMs) => lastUses.push([tokenKey, atMs]));
    // What the success log had not taken yet (rounds 96-100), once; the tracker, the latest use.
    expect(uses).toEqual([5, 5]);
    expect(counted).toBe(10);
    expect(lastUses).toEqual([
      ["prod/a", 100],
      ["prod/b", 100],
    ]);
    expect(cache.retiredCount).toBe(0);
  });

  it("answers each TokenReview version as made in full, with its length in UTF-8", () => {
    const cache = new VerdictCache();
    const kept = cache.set(
      "h",
      {
        authenticated: true,
        tokenKey: "prod/a",
        serviceUser: "ü",
        tokenId: "t",
        user: { username: "svctokens:ü", uid: "1", groups: ["g"], extra: {} },
        audiences: [],
      },
      Infinity,
    );
    for (const version of TOKEN_REVIEW_API_VERSIONS) {
      const answer = kept.answer(version);
      expect(answer.json).toBe(JSON.stringify(tokenReviewResponse(kept.success, version)));
      expect(answer.bytes).toBe(Buffer.byteLength(answer.json));
      expect(answer.bytes).toBeGreaterThan(answer.json.length);
      expect(kept.answer(version)).toBe(answer);
    }
  });

  it("answers until, not at, the expiry", () => {
    const cache = new VerdictCache();
    cache.set("h", success("prod/a", "u"), 1000);
    expect(cache.get("h", 999)).toBeDefined();
    expect(cache.get("h", 1000)).toBeUndefined();
  });
});

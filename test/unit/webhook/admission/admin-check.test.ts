import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../../src/k8s/errors.ts";
import { TokenBucket } from "../../../../src/webhook/admission/token-bucket.ts";
import {
  AdminCheck,
  AdminCheckThrottled,
  adminAccessReview,
  adminCacheKey,
} from "../../../../src/webhook/admission/admin-check.ts";

const alice = { username: "alice", uid: "a1", groups: ["devs", "system:authenticated"] };

/** A fake API answering SubjectAccessReviews from a list of Admin usernames. */
function fakeRest(admins: string[], fail = false) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  return {
    calls,
    rest: {
      request: <T>(method: string, path: string, body?: unknown): Promise<T> => {
        calls.push({ method, path, body });
        if (fail) return Promise.reject(new KubeApiError(0, "NoAnswer", "connection refused"));
        const user = (body as { spec: { user?: string } }).spec.user ?? "";
        return Promise.resolve({ status: { allowed: admins.includes(user) } } as T);
      },
    },
  };
}

describe("adminAccessReview", () => {
  it("asks for verb admin on servicetokens.svctokens.dev for the requester as they are", () => {
    expect(adminAccessReview({ ...alice, extra: { scope: ["x"] } })).toEqual({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: "alice",
        uid: "a1",
        groups: ["devs", "system:authenticated"],
        extra: { scope: ["x"] },
        resourceAttributes: { group: "svctokens.dev", resource: "servicetokens", verb: "admin" },
      },
    });
  });
});

describe("adminCacheKey", () => {
  it("ignores group and extra order but not their content", () => {
    const a = adminCacheKey({ username: "u", groups: ["a", "b"], extra: { k: ["1", "2"], j: [] } });
    const b = adminCacheKey({ username: "u", groups: ["b", "a"], extra: { j: [], k: ["2", "1"] } });
    expect(a).toBe(b);
    expect(adminCacheKey({ username: "u", groups: ["a"] })).not.toBe(a);
    expect(adminCacheKey({ username: "v", groups: ["a", "b"] })).not.toBe(
      adminCacheKey({ username: "u", groups: ["a", "b"] }),
    );
  });
});

describe("AdminCheck", () => {
  it("posts a SubjectAccessReview and answers RBAC's verdict", async () => {
    const { rest, calls } = fakeRest(["root"]);
    const check = new AdminCheck({ rest, ttlMs: 0 });
    expect(await check.isAdmin({ username: "root" })).toBe(true);
    expect(await check.isAdmin(alice)).toBe(false);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /apis/authorization.k8s.io/v1/subjectaccessreviews",
      "POST /apis/authorization.k8s.io/v1/subjectaccessreviews",
    ]);
  });

  it("reuses an answer within the TTL, and asks again after it", async () => {
    let now = 0;
    const { rest, calls } = fakeRest(["alice"]);
    const check = new AdminCheck({ rest, ttlMs: 5000, now: () => now });
    await Promise.all([check.isAdmin(alice), check.isAdmin(alice)]);
    now = 4999;
    expect(await check.isAdmin({ ...alice, groups: [...alice.groups].reverse() })).toBe(true);
    expect(calls).toHaveLength(1);
    now = 5000;
    await check.isAdmin(alice);
    expect(calls).toHaveLength(2);
  });

  it("never caches a failure, and rejects so the caller can fail closed", async () => {
    const world = fakeRest([], true);
    const check = new AdminCheck({ rest: world.rest, ttlMs: 5000, now: () => 0 });
    await expect(check.isAdmin(alice)).rejects.toThrow(/connection refused/);
    await expect(check.isAdmin(alice)).rejects.toThrow(/connection refused/);
    expect(world.calls).toHaveLength(2);
  });

  it("answers no for an anonymous requester without asking", async () => {
    const { rest, calls } = fakeRest([]);
    const check = new AdminCheck({ rest, ttlMs: 0 });
    expect(await check.isAdmin({})).toBe(false);
    expect(calls).toHaveLength(0);
  });

  it("keeps at most maxEntries answers", async () => {
    const { rest, calls } = fakeRest([]);
    const check = new AdminCheck({ rest, ttlMs: 60_000, now: () => 0, maxEntries: 2 });
    for (const username of ["a", "b", "c", "a"]) await check.isAdmin({ username });
    expect(calls.map((c) => (c.body as { spec: { user: string } }).spec.user)).toEqual([
      "a",
      "b",
      "c",
      "a",
    ]);
  });

  it("asks at most the budget's burst, refuses the rest (fail closed), and refills with time", async () => {
    let now = 0;
    const { rest, calls } = fakeRest(["user-3"]);
    const outcomes: string[] = [];
    const check = new AdminCheck({
      rest,
      ttlMs: 0,
      now: () => now,
      budget: new TokenBucket({ capacity: 5, perSecond: 1, now: () => now }),
      onReview: (outcome) => outcomes.push(outcome),
    });
    const answers = await Promise.allSettled(
      Array.from({ length: 500 }, (_, i) => check.isAdmin({ username: `user-${i}` })),
    );
    expect(calls).toHaveLength(5);
    expect(answers.filter((a) => a.status === "fulfilled")).toHaveLength(5);
    const refused = answers.filter((a) => a.status === "rejected");
    expect(refused).toHaveLength(495);
    expect(refused.every((a) => a.reason instanceof AdminCheckThrottled)).toBe(true);
    expect(outcomes.filter((o) => o === "asked")).toHaveLength(5);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(495);

    now += 2_000;
    await check.isAdmin({ username: "later-1" });
    await check.isAdmin({ username: "later-2" });
    await expect(check.isAdmin({ username: "later-3" })).rejects.toBeInstanceOf(
      AdminCheckThrottled,
    );
    expect(calls).toHaveLength(7);
  });

  it("answers from its cache without spending the budget", async () => {
    const { rest, calls } = fakeRest(["alice"]);
    const check = new AdminCheck({
      rest,
      ttlMs: 60_000,
      now: () => 0,
      budget: new TokenBucket({ capacity: 1, perSecond: 1, now: () => 0 }),
    });
    for (let i = 0; i < 10; i += 1) expect(await check.isAdmin(alice)).toBe(true);
    expect(calls).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import type { ServiceToken, ServiceTokenStatus } from "../../../../src/api/index.ts";
import {
  currentTokenPhase,
  desiredUserStatus,
  nextTokenExpiry,
} from "../../../../src/controller/service-user/desired.ts";
import { DAY_MS, NOW, at, token, user } from "../builders.ts";

/** A token as its ServiceUser's reconciler sees it: spec.revoked plus what status reports. */
function tok(name: string, revoked: boolean, status?: ServiceTokenStatus): ServiceToken {
  return token({ name, uid: `uid-${name}`, spec: { revoked }, ...(status ? { status } : {}) });
}

const soon = at(DAY_MS);
const later = at(10 * DAY_MS);
const past = at(-DAY_MS);

const active = (name: string, expiresAt?: string): ServiceToken =>
  tok(name, false, { phase: "Active", ...(expiresAt ? { expiresAt } : {}) });
const revoked = (name: string, expiresAt?: string): ServiceToken =>
  tok(name, true, { phase: "Revoked", ...(expiresAt ? { expiresAt } : {}) });
const ungenerated = (name: string): ServiceToken => tok(name, false);

describe("currentTokenPhase", () => {
  it.each<{ name: string; token: ServiceToken; phase: string | undefined }>([
    { name: "not generated (no status)", token: ungenerated("a"), phase: undefined },
    {
      name: "not generated (status without phase)",
      token: tok("a", false, { username: "ci-bot@service" }),
      phase: undefined,
    },
    { name: "active, never expires", token: active("a"), phase: "Active" },
    { name: "active, expires later", token: active("a", soon), phase: "Active" },
    { name: "status says Active but expiry passed", token: active("a", past), phase: "Expired" },
    { name: "status says Active, exactly at expiry", token: active("a", at(0)), phase: "Expired" },
    {
      name: "spec revoked, status not yet updated",
      token: tok("a", true, { phase: "Active" }),
      phase: "Revoked",
    },
    {
      name: "spec restored, status still Revoked",
      token: tok("a", false, { phase: "Revoked" }),
      phase: "Active",
    },
    { name: "revoked and expired", token: revoked("a", past), phase: "Expired" },
  ])("$name → $phase", ({ token, phase }) => {
    expect(currentTokenPhase(token, NOW)).toBe(phase);
  });
});

describe("desiredUserStatus", () => {
  it("reports identity, counts and Ready for an active user", () => {
    const u = user({
      name: "ci-bot",
      generation: 4,
      spec: { role: "Manager", teams: ["payments"] },
    });
    expect(desiredUserStatus(u, [active("a", soon), revoked("b")], NOW)).toEqual({
      phase: "Active",
      username: "ci-bot@service",
      groups: [
        "svctokens:service-users",
        "svctokens:role:manager",
        "svctokens:team:payments",
        "svctokens:team:payments:manager",
      ],
      teamsDisplay: "payments",
      tokens: 2,
      activeTokens: 1,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Active",
          message: "The Service User is active.",
          lastTransitionTime: at(0),
          observedGeneration: 4,
        },
      ],
      observedGeneration: 4,
    });
  });

  it.each<{ teams: string[] | undefined; display: string | undefined }>([
    { teams: undefined, display: undefined },
    { teams: [], display: undefined },
    { teams: ["shop"], display: "shop" },
    { teams: ["payments", "shop", "search"], display: "payments,shop,search" },
  ])("teamsDisplay joins spec.teams for kubectl: $display", ({ teams, display }) => {
    const status = desiredUserStatus(user({ spec: teams ? { teams } : {} }), [], NOW);
    expect(status.teamsDisplay).toBe(display);
    if (display === undefined) expect(status).not.toHaveProperty("teamsDisplay");
  });

  it.each<{ name: string; tokens: ServiceToken[]; total: number; activeTokens: number }>([
    { name: "no tokens", tokens: [], total: 0, activeTokens: 0 },
    { name: "one active", tokens: [active("a")], total: 1, activeTokens: 1 },
    {
      name: "active, revoked, expired",
      tokens: [active("a", later), revoked("b"), active("c", past)],
      total: 3,
      activeTokens: 1,
    },
    {
      name: "ungenerated tokens count in total, not as active",
      tokens: [ungenerated("a"), ungenerated("b"), active("c")],
      total: 3,
      activeTokens: 1,
    },
    {
      name: "revocation in spec counts at once",
      tokens: [tok("a", true, { phase: "Active" }), active("b")],
      total: 2,
      activeTokens: 1,
    },
    {
      name: "expired since the token's last reconcile",
      tokens: [active("a", at(-1000)), active("b", at(1000))],
      total: 2,
      activeTokens: 1,
    },
  ])("counts: $name", ({ tokens, total, activeTokens }) => {
    const status = desiredUserStatus(user(), tokens, NOW);
    expect(status.tokens).toBe(total);
    expect(status.activeTokens).toBe(activeTokens);
  });

  it.each<{ name: string; used: (string | undefined)[]; lastUsedAt: string | undefined }>([
    { name: "never used", used: [undefined, undefined], lastUsedAt: undefined },
    {
      name: "one used",
      used: [undefined, "2025-05-01T00:00:00Z"],
      lastUsedAt: "2025-05-01T00:00:00Z",
    },
    {
      name: "the latest of several, in any order",
      used: ["2025-05-02T00:00:00Z", "2025-05-03T00:00:00Z", "2025-05-01T00:00:00Z"],
      lastUsedAt: "2025-05-03T00:00:00Z",
    },
    {
      // 23:30 UTC is later than 01:00+02:00 (23:00 UTC the day before), though it sorts first as text.
      name: "compared as times, not as text",
      used: ["2025-05-03T01:00:00+02:00", "2025-05-02T23:30:00Z"],
      lastUsedAt: "2025-05-02T23:30:00Z",
    },
  ])("lastUsedAt: $name", ({ used, lastUsedAt }) => {
    const tokens = used.map((time, i) =>
      tok(`t${i}`, false, { phase: "Active", ...(time ? { lastUsedAt: time } : {}) }),
    );
    const status = desiredUserStatus(user(), tokens, NOW);
    expect(status.lastUsedAt).toBe(lastUsedAt);
    if (lastUsedAt === undefined) expect(status).not.toHaveProperty("lastUsedAt");
  });

  it("reports a deactivated user as Deactivated and Ready (as its spec asks), with what to do", () => {
    const status = desiredUserStatus(user({ spec: { active: false } }), [revoked("a")], NOW);
    expect(status.phase).toBe("Deactivated");
    expect(status.conditions).toHaveLength(1);
    expect(status.conditions?.[0]).toMatchObject({ status: "True", reason: "Deactivated" });
    expect(status.conditions?.[0]?.message).toContain("spec.active to true");
  });

  it("keeps the Ready transition time across deactivation (Ready holds) and moves it on a flip", () => {
    const ready = {
      type: "Ready",
      status: "True" as const,
      reason: "Active",
      message: "The Service User is active.",
      lastTransitionTime: past,
    };
    const previous = { conditions: [ready] };
    const still = desiredUserStatus(user({ status: previous }), [], NOW);
    const deactivated = desiredUserStatus(
      user({ status: previous, spec: { active: false } }),
      [],
      NOW,
    );
    const wasStalled = desiredUserStatus(
      user({ status: { conditions: [{ ...ready, status: "False" as const }] } }),
      [],
      NOW,
    );
    expect(still.conditions?.[0]?.lastTransitionTime).toBe(past);
    expect(deactivated.conditions?.[0]).toMatchObject({
      reason: "Deactivated",
      lastTransitionTime: past,
    });
    expect(wasStalled.conditions?.[0]?.lastTransitionTime).toBe(at(0));
  });

  it("omits observedGeneration when the user has no generation", () => {
    expect(desiredUserStatus(user(), [], NOW)).not.toHaveProperty("observedGeneration");
  });
});

describe("nextTokenExpiry", () => {
  it.each<{ name: string; tokens: ServiceToken[]; next: string | undefined }>([
    { name: "no tokens", tokens: [], next: undefined },
    { name: "only never-expiring tokens", tokens: [active("a"), active("b")], next: undefined },
    { name: "one expiring", tokens: [active("a"), active("b", later)], next: later },
    { name: "the earliest", tokens: [active("a", later), active("b", soon)], next: soon },
    {
      name: "revoked tokens do not count",
      tokens: [revoked("a", soon), active("b", later)],
      next: later,
    },
    {
      name: "expired tokens do not count",
      tokens: [active("a", past), active("b", later)],
      next: later,
    },
    { name: "ungenerated tokens do not count", tokens: [ungenerated("a")], next: undefined },
    { name: "only revoked", tokens: [revoked("a", soon)], next: undefined },
  ])("$name → $next", ({ tokens, next }) => {
    expect(
      nextTokenExpiry(tokens, NOW)
        ?.toISOString()
        .replace(/\.000Z$/, "Z"),
    ).toBe(next);
  });
});

import { describe, expect, it } from "vitest";
import {
  hasRotationStatus,
  matchesFilter,
  sortTokens,
  tokenExpiration,
  tokenHeaders,
  tokenKind,
  tokenRow,
  tokenStatus,
} from "../../../src/plugin/token-rows.ts";
import { token } from "./fixtures.ts";

const now = new Date("2026-03-01T12:00:00Z");
const DAY_MS = 24 * 3600 * 1000;
const ago = (days: number): string => new Date(now.getTime() - days * DAY_MS).toISOString();

describe("matchesFilter", () => {
  const used = token("used", {}, { phase: "Active", lastUsedAt: ago(0.5) });
  const stale = token("stale", {}, { phase: "Active", lastUsedAt: ago(100) });
  const never = token("never", { serviceUser: "other" }, { phase: "Revoked" });
  it.each([
    [{}, ["used", "stale", "never"]],
    [{ user: "ci-bot" }, ["used", "stale"]],
    [{ status: "revoked" as const }, ["never"]],
    [{ status: "active" as const, unusedDays: 90 }, ["stale"]],
    [{ unusedDays: 1 }, ["stale", "never"]],
    [{ unusedDays: 0 }, ["used", "stale", "never"]],
  ])("%j keeps %j", (filter, names) => {
    const kept = [used, stale, never].filter((t) => matchesFilter(t, filter, now));
    expect(kept.map((t) => t.metadata.name)).toEqual(names);
  });
});

describe("rows", () => {
  const active = token(
    "ci",
    { tokenHash: `sha256:${"a".repeat(64)}`, audiences: ["scim"] },
    {
      phase: "Active",
      tokenId: "0123456789abcdef",
      createdAt: ago(1),
      expiresAt: new Date(now.getTime() + 29 * DAY_MS + 60_000).toISOString(),
    },
  );
  const pending = token("new", { expiresInDays: 30 });

  it("reads like the product's list, with a key column only on a terminal", () => {
    const plain = { wide: false, allNamespaces: false, colour: false };
    expect(tokenHeaders(plain, false)).toEqual([
      "NAME",
      "USER",
      "EXPIRATION",
      "LAST USED",
      "STATUS",
    ]);
    expect(tokenRow(active, plain, false, now)).toEqual([
      "ci",
      "ci-bot",
      "in 29 days",
      "Not used",
      "Active",
    ]);
    expect(tokenRow(pending, plain, false, now)).toEqual([
      "new",
      "ci-bot",
      "30 days from generation",
      "Not used",
      "Pending",
    ]);
    const tty = { wide: false, allNamespaces: true, colour: true };
    expect(tokenHeaders(tty, false).slice(0, 3)).toEqual(["", "NAME", "NAMESPACE"]);
    expect(tokenRow(active, tty, false, now)[0]).toContain("●");
  });

  it("shows exact times, the token id, the kind and rotation in -o wide", () => {
    const wide = { wide: true, allNamespaces: false, colour: false };
    const rotated = token(
      "r",
      {},
      { phase: "Active", rotations: 2, previousValueExpiresAt: "2026-03-01T13:00:00Z" },
    );
    expect(hasRotationStatus([active])).toBe(false);
    expect(hasRotationStatus([active, rotated])).toBe(true);
    expect(tokenHeaders(wide, true).slice(5)).toEqual([
      "EXPIRES AT",
      "LAST USED AT",
      "TOKEN ID",
      "KIND",
      "ROTATED",
      "PREVIOUS VALUE EXPIRES",
      "ROTATIONS",
    ]);
    expect(tokenRow(active, wide, false, now).slice(5)).toEqual([
      active.status?.expiresAt,
      "-",
      "0123456789abcdef",
      "scim,client-generated",
    ]);
    expect(tokenRow(rotated, wide, true, now).slice(9)).toEqual(["-", "2026-03-01T13:00:00Z", "2"]);
  });

  it("names kinds, statuses and sorts like kubectl", () => {
    expect(tokenKind(pending)).toBe("secret");
    expect(tokenStatus(pending)).toBe("Pending");
    expect(tokenExpiration(token("x", {}, { createdAt: ago(1) }), now)).toBe("never");
    const sorted = sortTokens([
      token("b", {}, {}, "a"),
      token("a", {}, {}, "b"),
      token("a", {}, {}, "a"),
    ]);
    expect(sorted.map((t) => `${t.metadata.namespace}/${t.metadata.name}`)).toEqual([
      "a/a",
      "a/b",
      "b/a",
    ]);
  });
});

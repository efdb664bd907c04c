// The expiry memo answers as tokenExpiry does, for the same object read again, for an object
// changed in place, and for tokens whose expiry depends on the clock (never kept).
import { describe, expect, it } from "vitest";
import { tokenExpiry } from "../../../../src/domain/token-lifecycle.ts";
import { ExpiryMemo } from "../../../../src/webhook/authn/expiry-memo.ts";

const NOW = new Date("2026-12-01T00:00:00Z");
const LATER = new Date("2027-06-01T00:00:00Z");

interface Token {
  metadata: { creationTimestamp?: string };
  spec: { expiresInDays?: number };
  status?: { createdAt?: string; expiresAt?: string };
}
const token = (spec: Token["spec"], status?: Token["status"], created?: string): Token => ({
  metadata: { creationTimestamp: created ?? "2026-11-01T00:00:00Z" },
  spec,
  ...(status ? { status } : {}),
});
const expected = (t: Token, now: Date): number | undefined =>
  tokenExpiry(
    { ...t.status, creationTimestamp: t.metadata.creationTimestamp },
    t.spec.expiresInDays,
    undefined,
    now,
  )?.getTime();
const memoOf = (memo: ExpiryMemo, t: Token, now: Date): number | undefined =>
  memo.expiresAtMs(t as never, now);

describe("ExpiryMemo", () => {
  it.each([
    ["never expires", token({}, { createdAt: "2026-11-01T00:00:00Z" })],
    ["days from createdAt", token({ expiresInDays: 30 }, { createdAt: "2026-11-02T00:00:00Z" })],
    [
      "an earlier reported expiry",
      token(
        { expiresInDays: 30 },
        { createdAt: "2026-11-02T00:00:00Z", expiresAt: "2026-11-05T00:00:00Z" },
      ),
    ],
    ["no status (from creation)", token({ expiresInDays: 30 })],
    ["an invalid createdAt", token({ expiresInDays: 30 }, { createdAt: "yesterday" })],
    ["no createdAt nor creation", token({ expiresInDays: 1 }, {}, "")],
  ])("answers as tokenExpiry for %s, now and later, read twice", (_case, t) => {
    const memo = new ExpiryMemo();
    for (const now of [NOW, LATER, NOW]) expect(memoOf(memo, t, now)).toBe(expected(t, now));
  });

  it("sees a token changed in place", () => {
    const memo = new ExpiryMemo();
    const t = token({ expiresInDays: 30 }, { createdAt: "2026-11-02T00:00:00Z" });
    expect(memoOf(memo, t, NOW)).toBe(expected(t, NOW));
    t.spec.expiresInDays = 1;
    expect(memoOf(memo, t, NOW)).toBe(expected(t, NOW));
    t.status = { createdAt: "2026-11-20T00:00:00Z", expiresAt: "2026-11-20T12:00:00Z" };
    expect(memoOf(memo, t, NOW)).toBe(expected(t, NOW));
    t.metadata.creationTimestamp = "2026-11-19T00:00:00Z";
    expect(memoOf(memo, t, NOW)).toBe(expected(t, NOW));
  });
});

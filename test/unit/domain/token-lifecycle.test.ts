import { describe, expect, it } from "vitest";
import { ServiceTokenPhase } from "../../../src/api/index.ts";
import { tokenExpiresAt, tokenPhase } from "../../../src/domain/token-lifecycle.ts";

const CREATED = new Date("2025-01-31T10:20:30.456Z");
const EXPIRES = new Date("2025-03-01T00:00:00Z");
const ms = (offset: number): Date => new Date(EXPIRES.getTime() + offset);

describe("tokenExpiresAt", () => {
  it.each([
    { days: undefined, expected: undefined },
    { days: 1, expected: "2025-02-01T10:20:30.456Z" },
    { days: 30, expected: "2025-03-02T10:20:30.456Z" },
    { days: 365, expected: "2026-01-31T10:20:30.456Z" },
  ])("expiresInDays $days → $expected", ({ days, expected }) => {
    expect(tokenExpiresAt(CREATED, days)?.toISOString()).toBe(expected);
  });

  it("counts whole 24-hour days, not calendar days (no DST or month arithmetic)", () => {
    const created = new Date("2025-03-29T12:00:00Z");
    expect(tokenExpiresAt(created, 2)?.getTime()).toBe(created.getTime() + 2 * 86_400_000);
  });

  it("does not modify createdAt", () => {
    const created = new Date(CREATED);
    tokenExpiresAt(created, 7);
    expect(created.getTime()).toBe(CREATED.getTime());
  });
});

describe("tokenPhase", () => {
  it.each([
    { revoked: false, expiresAt: undefined, when: 0, phase: ServiceTokenPhase.Active },
    { revoked: true, expiresAt: undefined, when: 0, phase: ServiceTokenPhase.Revoked },
    { revoked: false, expiresAt: EXPIRES, when: -1, phase: ServiceTokenPhase.Active },
    { revoked: true, expiresAt: EXPIRES, when: -1, phase: ServiceTokenPhase.Revoked },
    // Exactly at expiry the token is already expired.
    { revoked: false, expiresAt: EXPIRES, when: 0, phase: ServiceTokenPhase.Expired },
    { revoked: false, expiresAt: EXPIRES, when: 1, phase: ServiceTokenPhase.Expired },
    // Expired wins over Revoked: it cannot be restored.
    { revoked: true, expiresAt: EXPIRES, when: 0, phase: ServiceTokenPhase.Expired },
    { revoked: true, expiresAt: EXPIRES, when: 1e9, phase: ServiceTokenPhase.Expired },
  ])(
    "revoked=$revoked, expires=$expiresAt, now=expiry+$when ms → $phase",
    ({ revoked, expiresAt, when, phase }) => {
      expect(tokenPhase(revoked, expiresAt, ms(when))).toBe(phase);
    },
  );
});

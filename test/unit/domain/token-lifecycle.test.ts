import { describe, expect, it } from "vitest";
import { ServiceTokenPhase } from "../../../src/api/index.ts";
import {
  expiresInDisplay,
  tokenExpiresAt,
  tokenExpiry,
  tokenGeneratedAt,
  tokenPhase,
  type TokenTimes,
} from "../../../src/domain/token-lifecycle.ts";

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

describe("tokenGeneratedAt (the token's word, a record's only as a clamped hint)", () => {
  const NOW = new Date("2025-06-01T12:00:00Z");
  const CREATION = "2025-05-01T00:00:00Z";
  const STATUS = "2025-05-02T00:00:00Z";
  it.each<{ name: string; times: TokenTimes; hint?: string; expected: string }>([
    {
      name: "status.createdAt wins over any hint",
      times: { creationTimestamp: CREATION, createdAt: STATUS },
      hint: "2099-01-01T00:00:00Z",
      expected: STATUS,
    },
    {
      name: "a hint in 2099 is clamped to now",
      times: { creationTimestamp: CREATION },
      hint: "2099-01-01T00:00:00Z",
      expected: NOW.toISOString(),
    },
    {
      name: "a hint before the token existed is clamped to its creation",
      times: { creationTimestamp: CREATION },
      hint: "2020-01-01T00:00:00Z",
      expected: new Date(CREATION).toISOString(),
    },
    {
      name: "a hint inside the window is taken",
      times: { creationTimestamp: CREATION },
      hint: "2025-05-10T00:00:00Z",
      expected: "2025-05-10T00:00:00.000Z",
    },
    {
      name: "no status, no hint: the token's creation (the earliest possible)",
      times: { creationTimestamp: CREATION },
      expected: new Date(CREATION).toISOString(),
    },
    {
      name: "an unparsable status.createdAt is ignored",
      times: { creationTimestamp: CREATION, createdAt: "yesterday" },
      expected: new Date(CREATION).toISOString(),
    },
    { name: "nothing at all: now", times: {}, expected: NOW.toISOString() },
  ])("$name", ({ times, hint, expected }) => {
    const at = tokenGeneratedAt(times, hint === undefined ? undefined : new Date(hint), NOW);
    expect(at.toISOString()).toBe(new Date(expected).toISOString());
  });
});

describe("tokenExpiry", () => {
  const NOW = new Date("2025-06-01T12:00:00Z");
  const times: TokenTimes = { createdAt: "2025-06-01T00:00:00Z" };
  it.each<{ name: string; times: TokenTimes; days?: number; expected?: string }>([
    { name: "never expires", times, expected: undefined },
    { name: "createdAt + days", times, days: 2, expected: "2025-06-03T00:00:00Z" },
    {
      name: "an earlier status.expiresAt wins",
      times: { ...times, expiresAt: "2025-06-02T00:00:00Z" },
      days: 2,
      expected: "2025-06-02T00:00:00Z",
    },
    {
      name: "a later status.expiresAt does not extend",
      times: { ...times, expiresAt: "2099-01-01T00:00:00Z" },
      days: 2,
      expected: "2025-06-03T00:00:00Z",
    },
  ])("$name", ({ times: t, days, expected }) => {
    const at = tokenExpiry(t, days, undefined, NOW);
    expect(at?.toISOString()).toBe(
      expected === undefined ? undefined : new Date(expected).toISOString(),
    );
  });
});

describe("expiresInDisplay: EXPIRES at day granularity, and when it next changes", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const before = (left: number): Date => ms(-left);
  it.each<{ name: string; now: Date; text: string; nextChange: number | undefined }>([
    { name: "exactly 30 days left", now: before(30 * DAY), text: "29d", nextChange: 29 * DAY },
    { name: "29 days and 1 ms left", now: before(29 * DAY + 1), text: "29d", nextChange: 29 * DAY },
    { name: "exactly 29 days left", now: before(29 * DAY), text: "28d", nextChange: 28 * DAY },
    { name: "1 day and 1 ms left", now: before(DAY + 1), text: "1d", nextChange: DAY },
    { name: "exactly 1 day left", now: before(DAY), text: "<1d", nextChange: 0 },
    { name: "1 ms left", now: before(1), text: "<1d", nextChange: 0 },
    { name: "at expiry", now: EXPIRES, text: "expired", nextChange: undefined },
    { name: "after expiry", now: ms(DAY), text: "expired", nextChange: undefined },
  ])("$name → $text", ({ now, text, nextChange }) => {
    const display = expiresInDisplay(EXPIRES, now);
    expect(display.text).toBe(text);
    expect(display.nextChangeAt).toEqual(nextChange === undefined ? undefined : before(nextChange));
  });

  it("never expires → never, and never changes", () => {
    expect(expiresInDisplay(undefined, EXPIRES)).toEqual({
      text: "never",
      nextChangeAt: undefined,
    });
  });

  it("at the moment it said it would change, it has changed (no requeue loop)", () => {
    for (const left of [365 * DAY, 30 * DAY, 29 * DAY + 5, DAY + 1, DAY, 1000]) {
      const first = expiresInDisplay(EXPIRES, before(left));
      const next = first.nextChangeAt;
      expect(next).toBeDefined();
      if (next === undefined) continue;
      expect(next.getTime()).toBeGreaterThan(before(left).getTime() - 1);
      expect(expiresInDisplay(EXPIRES, next).text).not.toBe(first.text);
      // ...and just before it, it has not.
      if (next.getTime() > before(left).getTime())
        expect(expiresInDisplay(EXPIRES, new Date(next.getTime() - 1)).text).toBe(first.text);
    }
  });

  it("changes at most once a day: a year-long token is rewritten about 365 times", () => {
    let now = before(365 * DAY);
    let changes = 0;
    for (;;) {
      const next = expiresInDisplay(EXPIRES, now).nextChangeAt;
      if (next === undefined) break;
      expect(next.getTime() - now.getTime()).toBeLessThanOrEqual(DAY);
      now = next;
      changes += 1;
    }
    expect(changes).toBe(365);
  });
});

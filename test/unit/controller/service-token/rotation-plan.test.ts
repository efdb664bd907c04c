import { describe, expect, it } from "vitest";
import {
  decideRotation,
  isNewRequest,
  nextRotationAt,
  type HeldValue,
  type RotationFacts,
  type RotationStep,
} from "../../../../src/controller/service-token/rotation-plan.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;
const at = (offsetMs: number): string =>
  new Date(NOW.getTime() + offsetMs).toISOString().replace(/\.\d{3}Z$/, "Z");
const ours = (tokenId: string | undefined): HeldValue => ({ kind: "ours", tokenId });
const MISSING: HeldValue = { kind: "missing" };
const FOREIGN: HeldValue = { kind: "foreign" };

/** A settled generated token: value A pinned, delivered and recorded; created 10 days ago. */
function facts(overrides: Partial<RotationFacts> = {}): RotationFacts {
  return {
    now: NOW,
    active: true,
    clientTokenId: undefined,
    status: { tokenId: "a", createdAt: at(-10 * DAY_MS) },
    requestedAt: undefined,
    everyDays: undefined,
    delivery: ours("a"),
    currentRecord: ours("a"),
    previousRecord: MISSING,
    ...overrides,
  };
}

const inOverlap = { previousTokenId: "a", previousValueExpiresAt: at(30 * 60 * 1000) };

describe("decideRotation", () => {
  it.each<{ name: string; facts: Partial<RotationFacts>; step: RotationStep }>([
    { name: "a settled token without a trigger", facts: {}, step: { kind: "none" } },
    {
      name: "a token not generated yet",
      facts: { status: {}, requestedAt: at(0) },
      step: { kind: "none" },
    },
    {
      name: "a request newer than the current value",
      facts: { requestedAt: at(-60_000) },
      step: { kind: "start", trigger: "requested", retiresOldest: undefined },
    },
    {
      name: "a request older than the current value (carried over in a manifest)",
      facts: { requestedAt: at(-11 * DAY_MS) },
      step: { kind: "none" },
    },
    {
      name: "a request already acted on (even one in the future: client clock ahead)",
      facts: {
        requestedAt: at(DAY_MS),
        status: { tokenId: "a", createdAt: at(-DAY_MS), lastRotationRequest: at(DAY_MS) },
      },
      step: { kind: "none" },
    },
    {
      name: "a request that is not a time",
      facts: { requestedAt: "now please" },
      step: { kind: "none" },
    },
    {
      name: "everyDays elapsed since the current value (not the token's creation)",
      facts: {
        everyDays: 7,
        status: {
          tokenId: "a",
          createdAt: at(-30 * DAY_MS),
          currentValueCreatedAt: at(-7 * DAY_MS),
        },
      },
      step: { kind: "start", trigger: "schedule", retiresOldest: undefined },
    },
    {
      name: "everyDays not yet elapsed",
      facts: {
        everyDays: 7,
        status: {
          tokenId: "a",
          createdAt: at(-30 * DAY_MS),
          currentValueCreatedAt: at(-6 * DAY_MS),
        },
      },
      step: { kind: "none" },
    },
    {
      name: "a request on a revoked or expired token waits",
      facts: { requestedAt: at(0), active: false },
      step: { kind: "none" },
    },
    {
      name: "a request while the delivery Secret is gone waits for the value's reconcile",
      facts: { requestedAt: at(0), delivery: MISSING },
      step: { kind: "none" },
    },
    {
      name: "a request while the current record lags waits",
      facts: { requestedAt: at(0), currentRecord: ours("x") },
      step: { kind: "none" },
    },
    {
      name: "a second rotation inside the overlap retires the oldest value",
      facts: {
        requestedAt: at(-60_000),
        status: {
          tokenId: "b",
          createdAt: at(-DAY_MS),
          currentValueCreatedAt: at(-120_000),
          ...inOverlap,
        },
        delivery: ours("b"),
        currentRecord: ours("b"),
        previousRecord: ours("a"),
      },
      step: { kind: "start", trigger: "requested", retiresOldest: "a" },
    },
    {
      name: "a foreign Secret at the previous record's name blocks a start",
      facts: { requestedAt: at(0), previousRecord: FOREIGN },
      step: { kind: "blocked" },
    },
    {
      name: "a client-generated token whose spec.tokenHash changed",
      facts: { clientTokenId: "b", delivery: MISSING },
      step: { kind: "start", trigger: "client-hash", retiresOldest: undefined },
    },
    {
      name: "a client-generated token ignores the annotation (the client holds the value)",
      facts: { clientTokenId: "a", delivery: MISSING, requestedAt: at(0) },
      step: { kind: "none" },
    },
    {
      name: "a rotation cut short before its delivery is resumed",
      facts: {
        status: { tokenId: "b", createdAt: at(-DAY_MS), ...inOverlap },
        delivery: ours("a"),
        currentRecord: ours("a"),
      },
      step: { kind: "resume" },
    },
    {
      name: "a client rotation cut short before its current record is resumed",
      facts: {
        clientTokenId: "b",
        status: { tokenId: "b", createdAt: at(-DAY_MS), ...inOverlap },
        delivery: MISSING,
        currentRecord: ours("a"),
        previousRecord: ours("a"),
      },
      step: { kind: "resume" },
    },
    {
      name: "a rotation cut short is resumed even after its overlap (never retire what is delivered)",
      facts: {
        status: {
          tokenId: "b",
          createdAt: at(-DAY_MS),
          previousTokenId: "a",
          previousValueExpiresAt: at(-1),
        },
        delivery: ours("a"),
        currentRecord: ours("b"),
        previousRecord: ours("a"),
      },
      step: { kind: "resume" },
    },
    {
      name: "the overlap is over: retire the previous value",
      facts: {
        status: {
          tokenId: "b",
          createdAt: at(-DAY_MS),
          previousTokenId: "a",
          previousValueExpiresAt: at(0),
        },
        delivery: ours("b"),
        currentRecord: ours("b"),
        previousRecord: ours("a"),
      },
      step: { kind: "retire", tokenId: "a" },
    },
    {
      name: "inside the overlap, nothing to do",
      facts: {
        status: { tokenId: "b", createdAt: at(-DAY_MS), ...inOverlap },
        delivery: ours("b"),
        currentRecord: ours("b"),
        previousRecord: ours("a"),
      },
      step: { kind: "none" },
    },
    {
      name: "a previous record no pin names is cleaned up",
      facts: { previousRecord: ours("z") },
      step: { kind: "clean" },
    },
  ])("$name", ({ facts: overrides, step }) => {
    expect(decideRotation(facts(overrides))).toEqual(step);
  });
});

describe("isNewRequest", () => {
  const since = new Date(at(0));
  it.each<[string | undefined, string | undefined, boolean]>([
    [undefined, undefined, false],
    [at(0), undefined, true],
    [at(-1000), undefined, false],
    [at(1000), at(1000), false],
    [at(2000), at(1000), true],
    ["garbage", undefined, false],
  ])("requested %s, handled %s → %s", (requested, handled, expected) => {
    expect(isNewRequest(requested, handled, since)).toBe(expected);
  });
});

describe("nextRotationAt", () => {
  it("is the earlier of the overlap's end and the schedule", () => {
    const status = {
      tokenId: "b",
      createdAt: at(-DAY_MS),
      currentValueCreatedAt: at(0),
      ...inOverlap,
    };
    expect(nextRotationAt({ status, everyDays: 1, clientTokenId: undefined })).toEqual(
      new Date(inOverlap.previousValueExpiresAt),
    );
    expect(
      nextRotationAt({ status: { createdAt: at(0) }, everyDays: 2, clientTokenId: undefined }),
    ).toEqual(new Date(NOW.getTime() + 2 * DAY_MS));
    expect(
      nextRotationAt({
        status: { createdAt: at(0) },
        everyDays: undefined,
        clientTokenId: undefined,
      }),
    ).toBeUndefined();
  });
});

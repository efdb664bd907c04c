import { describe, expect, it } from "vitest";
import type { ServiceToken, ServiceTokenStatus } from "../../../../src/api/index.ts";
import { rotationPin } from "../../../../src/controller/service-token/rotation-plan.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;
const at = (offsetMs: number): string =>
  new Date(NOW.getTime() + offsetMs).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("rotationPin", () => {
  const token = (status: ServiceTokenStatus, overlapMinutes?: number): ServiceToken => ({
    metadata: {
      name: "ci",
      namespace: "prod",
      annotations: { "svctokens.dev/rotate-requested-at": at(-5000) },
    },
    spec: {
      serviceUser: "ci-bot",
      revoked: false,
      ...(overlapMinutes === undefined ? {} : { rotation: { overlapMinutes } }),
    },
    status,
  });

  it("starts: the current value becomes the previous one until now + overlap, counted once", () => {
    const pin = rotationPin(
      { kind: "start", trigger: "requested", retiresOldest: undefined },
      token({ tokenId: "a", rotations: 2 }, 30),
      { newId: "b", oldId: "a", now: NOW },
    );
    expect(pin).toEqual({
      tokenId: "b",
      currentValueCreatedAt: at(0),
      previousTokenId: "a",
      previousValueExpiresAt: at(30 * 60 * 1000),
      rotations: 3,
      lastRotationRequest: at(-5000),
    });
  });

  it("starts on a schedule with the default overlap and records no request", () => {
    const pin = rotationPin(
      { kind: "start", trigger: "schedule", retiresOldest: undefined },
      token({ tokenId: "a" }),
      { newId: "b", oldId: "a", now: NOW },
    );
    expect(pin).toMatchObject({ previousValueExpiresAt: at(60 * 60 * 1000), rotations: 1 });
    expect(pin).not.toHaveProperty("lastRotationRequest");
  });

  it("resumes: a fresh current value, the previous pin kept, its end never earlier", () => {
    const status = { tokenId: "b", previousTokenId: "a", previousValueExpiresAt: at(-1000) };
    const pin = rotationPin({ kind: "resume" }, token(status, 10), {
      newId: "c",
      oldId: "a",
      now: NOW,
    });
    expect(pin).toEqual({
      tokenId: "c",
      currentValueCreatedAt: at(0),
      previousValueExpiresAt: at(10 * 60 * 1000),
    });
    const later = { ...status, previousValueExpiresAt: at(DAY_MS) };
    expect(
      rotationPin({ kind: "resume" }, token(later, 10), { newId: "c", oldId: "a", now: NOW }),
    ).toMatchObject({ previousValueExpiresAt: at(DAY_MS) });
  });
});

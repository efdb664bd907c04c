import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { tokenTally } from "../../../../src/controller/service-user/token-tally.ts";

const token = (spec: unknown, status?: unknown): KubeObject => ({
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceToken",
  metadata: { name: "t", namespace: "ns" },
  spec,
  ...(status === undefined ? {} : { status }),
});

const T = "2026-12-05T07:00:00Z";

describe("tokenTally", () => {
  it.each([
    ["not generated yet", token({ serviceUser: "u" }), { spec: { revoked: false } }],
    ["revoked", token({ serviceUser: "u", revoked: true }), { spec: { revoked: true } }],
    [
      "Active with expiry and last use",
      token({ revoked: false }, { phase: "Active", expiresAt: T, lastUsedAt: T, tokenId: "x" }),
      { spec: { revoked: false }, status: { phase: "Active", expiresAt: T, lastUsedAt: T } },
    ],
    ["empty status", token({}, {}), { spec: { revoked: false }, status: {} }],
  ])("reads %s", (_, object, expected) => {
    expect(tokenTally(object)).toEqual(expected);
  });

  it.each([
    ["no spec", token(undefined)],
    ["spec not an object", token("revoked")],
    ["revoked not a boolean", token({ revoked: "true" })],
    ["status not an object", token({}, 7)],
    ["phase not a string", token({}, { phase: 1 })],
    ["expiresAt not a time", token({}, { expiresAt: "tomorrow" })],
    ["lastUsedAt not a string", token({}, { lastUsedAt: 5 })],
  ])("does not count a token with %s", (_, object) => {
    expect(tokenTally(object)).toBeUndefined();
  });
});

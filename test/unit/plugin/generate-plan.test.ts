import { describe, expect, it } from "vitest";
import { collectLabel, desiredToken, settledState } from "../../../src/plugin/generate-plan.ts";
import { UsageError } from "../../../src/plugin/errors.ts";
import { token } from "./fixtures.ts";

const base = {
  name: "ci",
  namespace: "prod",
  user: "ci-bot",
  expiresInDays: 30,
  scim: false,
  labels: {},
  tokenHash: undefined,
};

describe("desiredToken", () => {
  it("puts only the hash of a client-generated value into the cluster", () => {
    const hash = `sha256:${"c".repeat(64)}` as const;
    expect(desiredToken({ ...base, tokenHash: hash, labels: { team: "a" } })).toEqual({
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: { name: "ci", namespace: "prod", labels: { team: "a" } },
      spec: { serviceUser: "ci-bot", revoked: false, expiresInDays: 30, tokenHash: hash },
    });
  });

  it("leaves out what is not asked: never expires, SCIM audience, delivered", () => {
    const spec = desiredToken({
      ...base,
      expiresInDays: undefined,
      scim: true,
      description: "d",
    }).spec;
    expect(spec).toEqual({
      serviceUser: "ci-bot",
      revoked: false,
      description: "d",
      audiences: ["scim"],
    });
  });
});

describe("collectLabel", () => {
  it("collects key=value pairs and refuses anything else", () => {
    expect(collectLabel("a=1", collectLabel("b=", undefined))).toEqual({ a: "1", b: "" });
    expect(() => collectLabel("nokey", undefined)).toThrow(UsageError);
    expect(() => collectLabel("=v", undefined)).toThrow(UsageError);
  });
});

describe("settledState", () => {
  const ready = (status: string, reason: string, message = "") =>
    ({
      type: "Ready",
      status,
      reason,
      message,
      lastTransitionTime: "2026-01-01T00:00:00Z",
    }) as never;
  it.each([
    ["no status yet", {}, "pending"],
    [
      "Ready for this generation",
      { phase: "Active", observedGeneration: 1, conditions: [ready("True", "Active")] },
      "ready",
    ],
    [
      "Ready for an older generation",
      { phase: "Active", observedGeneration: 0, conditions: [ready("True", "Active")] },
      "pending",
    ],
    [
      "waiting for its user",
      { conditions: [ready("False", "ServiceUserNotFound", "waits")] },
      "waiting",
    ],
    ["generating", { conditions: [ready("False", "Generating")] }, "pending"],
    ["stalled", { conditions: [ready("False", "SecretConflict", "foreign")] }, "stalled"],
  ])("%s → %s", (_name, status, state) => {
    expect(settledState(token("ci", {}, status as never)).state).toBe(state);
  });
});

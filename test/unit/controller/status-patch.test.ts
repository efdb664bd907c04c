import { describe, expect, it } from "vitest";
import { statusMergePatch } from "../../../src/controller/status-patch.ts";

const OWNED = ["phase", "tokenId", "expiresAt", "revokedAt", "conditions", "observedGeneration"];

const condition = {
  type: "Ready",
  status: "True",
  reason: "Reconciled",
  message: "The token is active.",
  lastTransitionTime: "2025-06-01T12:00:00Z",
  observedGeneration: 2,
};

const settled = {
  phase: "Active",
  tokenId: "0123456789abcdef",
  expiresAt: "2025-07-01T12:00:00Z",
  conditions: [condition],
  observedGeneration: 2,
};

describe("statusMergePatch", () => {
  it.each<{
    name: string;
    current: Record<string, unknown> | undefined;
    desired: Record<string, unknown>;
    patch: Record<string, unknown> | undefined;
  }>([
    { name: "equal status", current: settled, desired: { ...settled }, patch: undefined },
    {
      name: "equal after a deep copy",
      current: settled,
      desired: structuredClone(settled),
      patch: undefined,
    },
    {
      name: "condition keys in another order",
      current: settled,
      desired: {
        ...settled,
        conditions: [
          {
            observedGeneration: 2,
            lastTransitionTime: "2025-06-01T12:00:00Z",
            message: "The token is active.",
            reason: "Reconciled",
            status: "True",
            type: "Ready",
          },
        ],
      },
      patch: undefined,
    },
    {
      name: "top-level keys in another order",
      current: settled,
      desired: Object.fromEntries(Object.entries(settled).reverse()),
      patch: undefined,
    },
    {
      name: "no current status",
      current: undefined,
      desired: { phase: "Active", observedGeneration: 1 },
      patch: { phase: "Active", observedGeneration: 1 },
    },
    {
      name: "one field changed",
      current: settled,
      desired: { ...settled, phase: "Revoked", revokedAt: "2025-06-02T00:00:00Z" },
      patch: { phase: "Revoked", revokedAt: "2025-06-02T00:00:00Z" },
    },
    {
      name: "a field removed",
      current: { ...settled, revokedAt: "2025-06-02T00:00:00Z" },
      desired: settled,
      patch: { revokedAt: null },
    },
    {
      name: "a field removed and one changed",
      current: { ...settled, revokedAt: "2025-06-02T00:00:00Z", phase: "Revoked" },
      desired: settled,
      patch: { revokedAt: null, phase: "Active" },
    },
    {
      name: "a nested condition field changed",
      current: settled,
      desired: { ...settled, conditions: [{ ...condition, message: "changed" }] },
      patch: { conditions: [{ ...condition, message: "changed" }] },
    },
    {
      name: "number vs string is a change",
      current: settled,
      desired: { ...settled, observedGeneration: "2" },
      patch: { observedGeneration: "2" },
    },
    {
      name: "an extra condition",
      current: settled,
      desired: { ...settled, conditions: [condition, { ...condition, type: "Other" }] },
      patch: { conditions: [condition, { ...condition, type: "Other" }] },
    },
  ])("$name", ({ current, desired, patch }) => {
    expect(statusMergePatch(current, desired, OWNED)).toEqual(patch);
  });

  it("never touches fields it does not own, whatever current or desired say", () => {
    const current = { ...settled, lastUsedAt: "2025-06-01T11:00:00Z", foreign: { a: 1 } };
    // Desired omits lastUsedAt (the webhook writes it) and sets something not owned.
    const desired = { ...settled, phase: "Revoked", username: "someone-else@service" };
    expect(statusMergePatch(current, desired, OWNED)).toEqual({ phase: "Revoked" });
    expect(statusMergePatch(current, settled, OWNED)).toBeUndefined();
  });

  it("owns nothing: never a patch", () => {
    expect(statusMergePatch(settled, { phase: "Expired" }, [])).toBeUndefined();
  });

  it("does not remove an owned field that is already absent", () => {
    expect(statusMergePatch({ phase: "Active" }, { phase: "Active" }, OWNED)).toBeUndefined();
  });
});

// Admission of ServiceToken DELETE requests: who may do what, and the exact denial messages.
import { describe, it } from "vitest";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import { check, token, world } from "./service-token-world.ts";
import {
  admissionFacts,
  admissionRequest,
  changed,
  NOT_ADMIN,
  type AdmissionCase as Case,
} from "./fixtures.ts";

describe("ServiceToken DELETE", () => {
  const del = (oldObject: typeof token, username?: string): AdmissionRequest =>
    admissionRequest("DELETE", "servicetokens", { oldObject, username });
  const active = changed(token, { status: { phase: "Active", expiresAt: "2025-06-30T00:00:00Z" } });
  const revoked = changed(active, { spec: { revoked: true }, status: { phase: "Revoked" } });
  const expired = changed(token, {
    status: { phase: "Active", expiresAt: "2025-05-01T00:00:00Z" },
  });
  const ACTIVE_DENIAL =
    "ServiceToken prod/ci is Active: revoke it (spec.revoked: true) before deleting it";
  const cases: Case[] = [
    {
      name: "an Admin deletes an Active token",
      request: del(active),
      facts: admissionFacts({ ...world, isAdmin: true }),
      denied: ACTIVE_DENIAL,
      adminCheck: true,
    },
    {
      // kubectl delete --all: kube-apiserver sends each object without a request name.
      name: "an Admin deletes a collection holding an Active token (the denial names it)",
      request: { ...del(active), name: "" },
      facts: admissionFacts({ ...world, isAdmin: true }),
      denied: ACTIVE_DENIAL,
      adminCheck: true,
    },
    {
      name: "an Admin deletes a token not generated yet (it is Active)",
      request: del(token),
      facts: admissionFacts({ ...world, isAdmin: true }),
      denied: ACTIVE_DENIAL,
      adminCheck: true,
    },
    {
      name: "an Admin deletes a Revoked token",
      request: del(revoked),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "an Admin deletes a token that expired (status not updated yet)",
      request: del(expired),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a non-Admin deletes a Revoked token",
      request: del(revoked),
      facts: admissionFacts(world),
      denied: `Deleting ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    ...[
      "system:serviceaccount:kube-system:namespace-controller",
      "system:kube-controller-manager",
    ].map((username) => ({
      name: `${username} deletes an Active token (namespace deletion)`,
      request: del(active, username),
      facts: admissionFacts(world),
      adminCheck: false,
    })),
    {
      name: "an Admin deletes an Active token that is already being deleted",
      request: del(changed(active, { metadata: { deletionTimestamp: "2025-06-01T00:00:00Z" } })),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
  ];
  it.each(cases)("$name", check);
});

// Admission of ServiceToken UPDATE requests: who may do what, and the exact denial messages.
import { describe, it } from "vitest";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import { check, token, world } from "./service-token-world.ts";
import {
  admissionFacts,
  admissionRequest,
  changed,
  CONTROLLER,
  NOT_ADMIN,
  type AdmissionCase as Case,
} from "./fixtures.ts";
import { serviceToken, serviceUser } from "../fixtures.ts";
import { generateToken, hashToken } from "../../../../src/tokens/index.ts";

describe("ServiceToken UPDATE", () => {
  const update = (
    oldObject: typeof token,
    object: typeof token,
    username?: string,
  ): AdmissionRequest =>
    admissionRequest("UPDATE", "servicetokens", { object, oldObject, username });
  const generated = changed(token, {
    status: {
      phase: "Active",
      createdAt: "2025-05-01T12:00:00Z",
      expiresAt: "2025-05-31T12:00:00Z",
    },
  });
  const revokedToken = changed(token, { spec: { revoked: true } });
  const clientToken = serviceToken("ci", { tokenHash: hashToken(generateToken()) });
  const takenHash = hashToken(generateToken());
  const rotatedTo = (hash: string): typeof token =>
    changed(clientToken, { spec: { tokenHash: hash, rotation: { overlapMinutes: 5 } } });
  const cases: Case[] = [
    {
      name: "the controller adds its finalizer (protected metadata, no Admin check)",
      request: update(
        token,
        changed(token, { metadata: { finalizers: ["svctokens.dev/hash-record"] } }),
        CONTROLLER,
      ),
      facts: admissionFacts(world),
      adminCheck: false,
    },
    {
      name: "a non-Admin changes labels and annotations (metadata only)",
      request: update(
        token,
        changed(token, { metadata: { labels: { a: "b" }, annotations: { c: "d" } } }),
      ),
      facts: admissionFacts(world),
      adminCheck: false,
    },
    {
      name: "the controller writes status through the status subresource",
      request: admissionRequest("UPDATE", "servicetokens", {
        object: generated,
        oldObject: token,
        subResource: "status",
      }),
      facts: admissionFacts(world),
      adminCheck: false,
    },
    {
      name: "a non-Admin revokes",
      request: update(token, revokedToken),
      facts: admissionFacts(world),
      denied: `Revoking ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "an Admin revokes",
      request: update(token, revokedToken),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a non-Admin restores",
      request: update(revokedToken, token),
      facts: admissionFacts(world),
      denied: `Restoring ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "an Admin restores a token that has not expired",
      request: update(
        changed(revokedToken, { status: { expiresAt: "2025-06-30T00:00:00Z" } }),
        token,
      ),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "an Admin restores an expired token (status.expiresAt passed)",
      request: update(changed(generated, { spec: { revoked: true } }), generated),
      facts: admissionFacts({ ...world, isAdmin: true }),
      denied:
        "ServiceToken prod/ci expired at 2025-05-31T12:00:00Z and cannot be restored: an " +
        "expired token is never restored; create a new ServiceToken instead",
      adminCheck: true,
    },
    {
      name: "an Admin restores a token whose status says Expired",
      request: update(changed(revokedToken, { status: { phase: "Expired" } }), token),
      facts: admissionFacts({ ...world, isAdmin: true }),
      denied:
        "ServiceToken prod/ci expired and cannot be restored: an expired token is never " +
        "restored; create a new ServiceToken instead",
      adminCheck: true,
    },
    {
      name: "an Admin restores a token past createdAt + expiresInDays (expiry not reported yet)",
      request: update(
        changed(revokedToken, { status: { createdAt: "2025-01-01T00:00:00Z" } }),
        token,
      ),
      facts: admissionFacts({ ...world, isAdmin: true }),
      denied:
        "ServiceToken prod/ci expired at 2025-01-31T00:00:00Z and cannot be restored: an " +
        "expired token is never restored; create a new ServiceToken instead",
      adminCheck: true,
    },
    {
      name: "an Admin restores a token of a deactivated ServiceUser",
      request: update(revokedToken, token),
      facts: admissionFacts({ isAdmin: true, users: [serviceUser("ci-bot", { active: false })] }),
      denied:
        'ServiceToken prod/ci cannot be restored while its ServiceUser "ci-bot" is ' +
        "deactivated: reactivate the ServiceUser (spec.active: true) first",
      adminCheck: true,
    },
    {
      name: "a non-Admin rotates a client-generated token (new spec.tokenHash)",
      request: update(clientToken, rotatedTo(hashToken(generateToken()))),
      facts: admissionFacts(world),
      denied: `Changing ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "an Admin rotates a client-generated token",
      request: update(clientToken, rotatedTo(hashToken(generateToken()))),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "an Admin rotates a client-generated token onto another token's hash",
      request: update(clientToken, rotatedTo(takenHash)),
      facts: admissionFacts({
        ...world,
        isAdmin: true,
        tokens: [serviceToken("other", { tokenHash: takenHash })],
      }),
      denied:
        "ServiceToken prod/ci cannot be rotated: spec.tokenHash is already the hash of " +
        "ServiceToken prod/other; generate a new token value and use its hash",
      adminCheck: true,
    },
    {
      name: "a non-Admin sets a rotation schedule",
      request: update(token, changed(token, { spec: { rotation: { everyDays: 7 } } })),
      facts: admissionFacts(world),
      denied: `Changing ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "a non-Admin changes the description",
      request: update(token, changed(token, { spec: { description: "deploys" } })),
      facts: admissionFacts(world),
      denied: `Changing ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "an Admin changes the description",
      request: update(token, changed(token, { spec: { description: "deploys" } })),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
  ];
  it.each(cases)("$name", check);
});

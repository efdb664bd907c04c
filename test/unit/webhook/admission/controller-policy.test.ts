// Admission of the controller's lifecycle-policy writes: it may revoke an Active token and
// delete an Expired one that is not revoked; anything else it asks is refused (it is no Admin).
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

const active = changed(token, { status: { phase: "Active", expiresAt: "2025-06-30T00:00:00Z" } });
const revoked = changed(active, { spec: { revoked: true }, status: { phase: "Revoked" } });
const expired = changed(token, { status: { phase: "Expired", expiresAt: "2025-05-01T00:00:00Z" } });
const expiredUnreported = changed(token, {
  status: { phase: "Active", expiresAt: "2025-05-01T00:00:00Z" },
});
const expiredRevoked = changed(expired, { spec: { revoked: true } });

const update = (oldObject: typeof token, object: typeof token, username = CONTROLLER) =>
  admissionRequest("UPDATE", "servicetokens", { oldObject, object, username });
const del = (oldObject: typeof token, username = CONTROLLER): AdmissionRequest =>
  admissionRequest("DELETE", "servicetokens", { oldObject, username });

const NOT_ADMIN_CONTROLLER = (action: string): string =>
  `${action} ServiceToken prod/ci ${NOT_ADMIN.replace('"alice"', `"${CONTROLLER}"`)}`;
const DELETE_DENIAL = (state: string): string =>
  "The svctokens controller deletes only Expired tokens that are not revoked " +
  `(SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS); ServiceToken prod/ci is ${state}`;

describe("the controller's lifecycle-policy writes", () => {
  const facts = admissionFacts(world);
  const cases: Case[] = [
    {
      name: "revokes an Active token (unused-token policy)",
      request: update(active, changed(active, { spec: { revoked: true } })),
      facts,
      adminCheck: false,
    },
    {
      name: "cannot revoke an expired token",
      request: update(expiredUnreported, changed(expiredUnreported, { spec: { revoked: true } })),
      facts,
      denied:
        "The svctokens controller revokes only Active tokens; ServiceToken prod/ci is Expired",
      adminCheck: false,
    },
    {
      name: "cannot restore a token",
      request: update(revoked, changed(revoked, { spec: { revoked: false } })),
      facts,
      denied: NOT_ADMIN_CONTROLLER("Restoring"),
      adminCheck: true,
    },
    {
      name: "cannot change anything else while revoking",
      request: update(active, changed(active, { spec: { revoked: true, description: "x" } })),
      facts,
      denied: NOT_ADMIN_CONTROLLER("Revoking"),
      adminCheck: true,
    },
    {
      name: "cannot change the description",
      request: update(active, changed(active, { spec: { description: "x" } })),
      facts,
      denied: NOT_ADMIN_CONTROLLER("Changing"),
      adminCheck: true,
    },
    {
      name: "deletes an Expired token",
      request: del(expired),
      facts,
      adminCheck: false,
    },
    {
      name: "deletes a token past its expiry whose status lags",
      request: del(expiredUnreported),
      facts,
      adminCheck: false,
    },
    {
      name: "cannot delete an Active token",
      request: del(active),
      facts,
      denied: DELETE_DENIAL("Active"),
      adminCheck: false,
    },
    {
      name: "cannot delete a Revoked token",
      request: del(revoked),
      facts,
      denied: DELETE_DENIAL("revoked"),
      adminCheck: false,
    },
    {
      name: "cannot delete a revoked token that expired since",
      request: del(expiredRevoked),
      facts,
      denied: DELETE_DENIAL("revoked"),
      adminCheck: false,
    },
    {
      name: "may delete a token already being deleted",
      request: del(changed(active, { metadata: { deletionTimestamp: "2025-06-01T00:00:00Z" } })),
      facts,
      adminCheck: false,
    },
    {
      name: "someone else revoking is an Admin action as before",
      request: update(active, changed(active, { spec: { revoked: true } }), "alice"),
      facts,
      denied: `Revoking ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "someone else deleting an Expired token is an Admin action as before",
      request: del(expired, "alice"),
      facts,
      denied: `Deleting ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
  ];
  it.each(cases)("$name", check);
});

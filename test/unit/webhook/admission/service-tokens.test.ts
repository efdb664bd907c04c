import { describe, expect, it } from "vitest";
import { generateToken, hashToken } from "../../../../src/tokens/index.ts";
import {
  decideAdmission,
  needsAdminCheck,
  type AdmissionFacts,
} from "../../../../src/webhook/admission/decide.ts";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import { admissionFacts, admissionRequest, changed, CONTROLLER } from "./fixtures.ts";
import { issue, serviceToken, serviceUser } from "../fixtures.ts";

const NOT_ADMIN =
  'is an Admin action and "alice" is not an Admin: ask an Admin to do it, or get RBAC ' +
  'permission for verb "admin" on servicetokens.svctokens.dev (the svctokens:admin ClusterRole)';

const user = serviceUser("ci-bot");
const token = serviceToken("ci", { expiresInDays: 30 });
const world = { users: [user] };

interface Case {
  name: string;
  request: AdmissionRequest;
  facts: AdmissionFacts;
  /** undefined: allowed; a string: denied with exactly this message. */
  denied?: string;
  /** Whether the handler must ask RBAC first. */
  adminCheck: boolean;
}

function check(c: Case): void {
  expect(needsAdminCheck(c.request, CONTROLLER)).toBe(c.adminCheck);
  const verdict = decideAdmission(c.request, c.facts);
  if (c.denied === undefined) expect(verdict).toEqual({ allowed: true });
  else expect(verdict).toEqual({ allowed: false, message: c.denied });
}

describe("ServiceToken CREATE", () => {
  const create = (object = token): AdmissionRequest =>
    admissionRequest("CREATE", "servicetokens", { object });
  const other = serviceToken("ci", { namespace: "staging" });
  const usedValue = generateToken();
  const cases: Case[] = [
    {
      name: "an Admin creates a token",
      request: create(),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a non-Admin creates a token",
      request: create(),
      facts: admissionFacts(world),
      denied: `Creating ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      // Any apply order: the token waits for its user (Reconciling, ServiceUserNotFound).
      name: "a token for a ServiceUser that does not exist yet",
      request: create(),
      facts: admissionFacts({ isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a token for a ServiceUser that does not exist yet, by someone not an Admin",
      request: create(),
      facts: admissionFacts({ isAdmin: false }),
      denied: `Creating ServiceToken prod/ci ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "a token for a ServiceUser that does not exist yet, beyond the maximum lifetime",
      request: create(serviceToken("ci", { expiresInDays: 90 })),
      facts: admissionFacts({ isAdmin: true, maxTokenLifetimeDays: 30 }),
      denied:
        "ServiceToken prod/ci cannot be created: spec.expiresInDays is 90, more than the 30 " +
        "days this operator allows; set spec.expiresInDays between 1 and 30",
      adminCheck: true,
    },
    {
      name: "a token for a deactivated ServiceUser",
      request: create(),
      facts: admissionFacts({ isAdmin: true, users: [serviceUser("ci-bot", { active: false })] }),
      denied:
        'ServiceToken prod/ci cannot be created: ServiceUser "ci-bot" is deactivated; ' +
        "reactivate it (spec.active: true) first",
      adminCheck: true,
    },
    {
      name: "a token for a ServiceUser being deleted",
      request: create(),
      facts: admissionFacts({ isAdmin: true, users: [serviceUser("ci-bot", { deleting: true })] }),
      denied:
        'ServiceToken prod/ci cannot be created: ServiceUser "ci-bot" is being deleted; name ' +
        "another ServiceUser",
      adminCheck: true,
    },
    {
      name: "a second token of the same name for the same user, in another namespace",
      request: create(),
      facts: admissionFacts({ ...world, isAdmin: true, tokens: [other] }),
      denied:
        'ServiceToken prod/ci cannot be created: ServiceUser "ci-bot" already has a token ' +
        'named "ci" (staging/ci); token names are unique per Service User, so choose another name',
      adminCheck: true,
    },
    {
      name: "a token whose name another user's token has",
      request: create(),
      facts: admissionFacts({
        users: [user, serviceUser("other-bot")],
        isAdmin: true,
        tokens: [serviceToken("ci", { namespace: "staging", user: "other-bot" })],
      }),
      adminCheck: true,
    },
    {
      name: "a token that never expires, under a 90-day maximum",
      request: create(serviceToken("ci")),
      facts: admissionFacts({ ...world, isAdmin: true, maxTokenLifetimeDays: 90 }),
      denied:
        "ServiceToken prod/ci cannot be created: it never expires, and this operator allows " +
        "tokens of at most 90 days; set spec.expiresInDays between 1 and 90",
      adminCheck: true,
    },
    {
      name: "a 91-day token under a 90-day maximum",
      request: create(serviceToken("ci", { expiresInDays: 91 })),
      facts: admissionFacts({ ...world, isAdmin: true, maxTokenLifetimeDays: 90 }),
      denied:
        "ServiceToken prod/ci cannot be created: spec.expiresInDays is 91, more than the 90 " +
        "days this operator allows; set spec.expiresInDays between 1 and 90",
      adminCheck: true,
    },
    {
      name: "a 90-day token under a 90-day maximum",
      request: create(serviceToken("ci", { expiresInDays: 90 })),
      facts: admissionFacts({ ...world, isAdmin: true, maxTokenLifetimeDays: 90 }),
      adminCheck: true,
    },
    {
      name: "a token that never expires, without a maximum",
      request: create(serviceToken("ci")),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a client-generated hash another token already has in its spec",
      request: create(serviceToken("ci", { tokenHash: hashToken(usedValue) })),
      facts: admissionFacts({
        ...world,
        isAdmin: true,
        tokens: [serviceToken("old", { tokenHash: hashToken(usedValue) })],
      }),
      denied:
        "ServiceToken prod/ci cannot be created: spec.tokenHash is already the hash of " +
        "ServiceToken prod/old; generate a new token value and use its hash",
      adminCheck: true,
    },
    {
      name: "a client-generated hash a hash record already holds",
      request: create(serviceToken("ci", { tokenHash: hashToken(usedValue) })),
      facts: admissionFacts({
        ...world,
        isAdmin: true,
        records: [issue(serviceToken("gen", { namespace: "dev" }), { value: usedValue }).record],
      }),
      denied:
        "ServiceToken prod/ci cannot be created: spec.tokenHash is already the hash of " +
        "ServiceToken dev/gen; generate a new token value and use its hash",
      adminCheck: true,
    },
    {
      name: "a fresh client-generated hash",
      request: create(serviceToken("ci", { tokenHash: hashToken(generateToken()) })),
      facts: admissionFacts({ ...world, isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "an object that does not match the schema (no Admin check needed to refuse it)",
      request: create(changed(token, { spec: { expiresInDays: 0 } })),
      facts: admissionFacts({ ...world, isAdmin: true }),
      denied:
        "ServiceToken prod/ci is invalid: spec.expiresInDays: Too small: expected number to " +
        "be >=1: fix these fields and try again",
      adminCheck: false,
    },
  ];
  it.each(cases)("$name", check);
});

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

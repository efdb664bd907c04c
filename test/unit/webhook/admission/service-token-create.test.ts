// Admission of ServiceToken CREATE requests: who may do what, and the exact denial messages.
import { describe, it } from "vitest";
import { generateToken, hashToken } from "../../../../src/tokens/index.ts";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import { check, token, user, world } from "./service-token-world.ts";
import {
  admissionFacts,
  admissionRequest,
  changed,
  NOT_ADMIN,
  type AdmissionCase as Case,
} from "./fixtures.ts";
import { issue, serviceToken, serviceUser } from "../fixtures.ts";

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

import { describe, expect, it } from "vitest";
import {
  admissionTarget,
  decideAdmission,
  needsAdminCheck,
} from "../../../../src/webhook/admission/decide.ts";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import {
  admissionFacts,
  admissionRequest,
  changed,
  checkAdmission,
  NOT_ADMIN,
  type AdmissionCase as Case,
} from "./fixtures.ts";
import { serviceToken, serviceUser } from "../fixtures.ts";

const user = serviceUser("ci-bot");
const deactivated = serviceUser("ci-bot", { active: false });

const check = (c: Case): void => checkAdmission(c);

const update = (oldObject: typeof user, object: typeof user): AdmissionRequest =>
  admissionRequest("UPDATE", "serviceusers", { oldObject, object });

describe("ServiceUser admission", () => {
  const activeTokens = [
    serviceToken("ci", { namespace: "prod" }),
    serviceToken("ci", { namespace: "staging" }),
  ];
  const inactiveTokens = [
    serviceToken("old", { revoked: true }),
    serviceToken("gone", { status: { expiresAt: "2025-01-01T00:00:00Z" } }),
    serviceToken("leaving", { deleting: true }),
    serviceToken("ci", { namespace: "other", user: "other-bot" }),
  ];
  const cases: Case[] = [
    {
      name: "an Admin creates a ServiceUser",
      request: admissionRequest("CREATE", "serviceusers", { object: user }),
      facts: admissionFacts({ isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a non-Admin creates a ServiceUser",
      request: admissionRequest("CREATE", "serviceusers", { object: user }),
      facts: admissionFacts(),
      denied: `Creating ServiceUser ci-bot ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "a ServiceUser with an invalid role",
      request: admissionRequest("CREATE", "serviceusers", {
        object: changed(user, { spec: { role: "Owner" } }),
      }),
      facts: admissionFacts({ isAdmin: true }),
      denied:
        'ServiceUser ci-bot is invalid: spec.role: Invalid option: expected one of "Admin"|' +
        '"Manager"|"Member": fix these fields and try again',
      adminCheck: false,
    },
    {
      name: "a non-Admin adds a finalizer (metadata only)",
      request: update(user, changed(user, { metadata: { finalizers: ["x"] } })),
      facts: admissionFacts(),
      adminCheck: false,
    },
    {
      name: "the controller writes status",
      request: admissionRequest("UPDATE", "serviceusers", {
        oldObject: user,
        object: changed(user, { status: { phase: "Active" } }),
        subResource: "status",
      }),
      facts: admissionFacts(),
      adminCheck: false,
    },
    {
      name: "a non-Admin changes the role",
      request: update(user, changed(user, { spec: { role: "Admin" } })),
      facts: admissionFacts(),
      denied: `Changing ServiceUser ci-bot ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "an Admin changes the role",
      request: update(user, changed(user, { spec: { role: "Admin" } })),
      facts: admissionFacts({ isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a non-Admin deactivates",
      request: update(user, deactivated),
      facts: admissionFacts(),
      denied: `Deactivating ServiceUser ci-bot ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "an Admin deactivates a user with Active tokens",
      request: update(user, deactivated),
      facts: admissionFacts({ isAdmin: true, tokens: [...activeTokens, ...inactiveTokens] }),
      denied:
        "ServiceUser ci-bot cannot be deactivated while it has Active tokens (prod/ci, " +
        "staging/ci): revoke them (spec.revoked: true) first",
      adminCheck: true,
    },
    {
      name: "an Admin deactivates a user whose tokens are revoked, expired or being deleted",
      request: update(user, deactivated),
      facts: admissionFacts({ isAdmin: true, tokens: inactiveTokens }),
      adminCheck: true,
    },
    {
      name: "an Admin reactivates a user",
      request: update(deactivated, user),
      facts: admissionFacts({ isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a non-Admin reactivates a user",
      request: update(deactivated, user),
      facts: admissionFacts(),
      denied: `Reactivating ServiceUser ci-bot ${NOT_ADMIN}`,
      adminCheck: true,
    },
    {
      name: "an Admin deletes an active user",
      request: admissionRequest("DELETE", "serviceusers", { oldObject: user }),
      facts: admissionFacts({ isAdmin: true }),
      denied: "ServiceUser ci-bot is active: deactivate it (spec.active: false) before deleting it",
      adminCheck: true,
    },
    {
      name: "an Admin deletes a deactivated user",
      request: admissionRequest("DELETE", "serviceusers", { oldObject: deactivated }),
      facts: admissionFacts({ isAdmin: true }),
      adminCheck: true,
    },
    {
      name: "a non-Admin deletes a deactivated user",
      request: admissionRequest("DELETE", "serviceusers", { oldObject: deactivated }),
      facts: admissionFacts(),
      denied: `Deleting ServiceUser ci-bot ${NOT_ADMIN}`,
      adminCheck: true,
    },
  ];
  it.each(cases)("$name", check);

  it("names at most ten Active tokens", () => {
    const tokens = Array.from({ length: 12 }, (_, i) =>
      serviceToken(`t${String(i).padStart(2, "0")}`),
    );
    const verdict = decideAdmission(
      update(user, deactivated),
      admissionFacts({ isAdmin: true, tokens }),
    );
    expect(verdict).toEqual({
      allowed: false,
      message:
        "ServiceUser ci-bot cannot be deactivated while it has Active tokens (prod/t00, " +
        "prod/t01, prod/t02, prod/t03, prod/t04, prod/t05, prod/t06, prod/t07, prod/t08, " +
        "prod/t09 and 2 more): revoke them (spec.revoked: true) first",
    });
  });
});

describe("admissionTarget", () => {
  it("allows resources it was not meant to receive, without an Admin check", () => {
    const request = {
      ...admissionRequest("CREATE", "serviceusers", { object: user }),
      resource: { group: "apps", version: "v1", resource: "deployments" },
    };
    expect(admissionTarget(request)).toBe("other");
    expect(needsAdminCheck(request)).toBe(false);
    expect(decideAdmission(request, admissionFacts())).toEqual({ allowed: true });
  });
});

import { describe, expect, it } from "vitest";
import { serviceUserGroups } from "../../../../src/domain/identity.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import {
  decideAuthorization,
  isNarrower,
  type AuthorizationDecision,
} from "../../../../src/webhook/authz/decide.ts";
import type { SubjectAccessReviewRequest } from "../../../../src/webhook/authz/subject-access-review.ts";
import { DAY_MS, factsOf, issue, NOW, serviceToken, serviceUser } from "../fixtures.ts";

const MANAGER_GROUPS = serviceUserGroups({ role: "Manager", teams: ["sre"] });
const user = serviceUser("ci-bot", { role: "Manager", teams: ["sre"] });
const token = serviceToken("ci");
const issued = issue(token);
const attributes = { namespace: "prod", verb: "create", resource: "pods", version: "v1" };

/** What kube-apiserver sends for a request made with `issued` (groups as authenticated). */
function review(change: Partial<SubjectAccessReviewRequest> = {}): SubjectAccessReviewRequest {
  return {
    apiVersion: "authorization.k8s.io/v1",
    user: "ci-bot@service",
    uid: "uid-user-ci-bot",
    groups: [...MANAGER_GROUPS, "system:authenticated"],
    extra: {
      "svctokens.dev/token-id": [issued.tokenId],
      "svctokens.dev/token-name": ["ci"],
      "svctokens.dev/token-namespace": ["prod"],
    },
    resourceAttributes: attributes,
    ...change,
  };
}

describe("decideAuthorization", () => {
  const facts = (objects: {
    users?: KubeObject[];
    tokens?: KubeObject[];
    records?: KubeObject[];
  }) => factsOf({ users: [user], tokens: [token], records: [issued.record], ...objects });

  it.each([
    ["a person's request", review({ user: "alice", groups: ["system:authenticated"], extra: {} })],
    ["the group without a token id (a certificate or impersonation)", review({ extra: {} })],
    ["a token id without the group", review({ groups: ["system:authenticated"] })],
  ])("has no opinion on %s", (_case, request) => {
    expect(decideAuthorization(request, facts({}), NOW)).toEqual({
      kind: "no-opinion",
      why: "not-a-token",
    });
  });

  it("has no opinion on a current token with current groups: RBAC decides", () => {
    expect(decideAuthorization(review(), facts({}), NOW)).toEqual({
      kind: "no-opinion",
      why: "current",
      subject: { tokenId: issued.tokenId, tokenKey: "prod/ci", serviceUser: "ci-bot" },
    });
  });

  const regenerated = issue(token); // same record name, new hash: the old token id is gone
  const expiresSoon = issue(token, { expiresAt: new Date(NOW.getTime() + 1000) });
  const expiring = (objects: object) => ({ ...objects, records: [expiresSoon.record] });
  interface DenialCase {
    name: string;
    objects?: { users?: KubeObject[]; tokens?: KubeObject[]; records?: KubeObject[] };
    request?: SubjectAccessReviewRequest;
    now?: Date;
    denial: string;
    message: string;
  }
  const denials: DenialCase[] = [
    {
      name: "a revoked token",
      objects: { tokens: [serviceToken("ci", { revoked: true })] },
      denial: "revoked",
      message: `ServiceToken prod/ci (token id ${issued.tokenId}) is revoked: an Admin may restore it (spec.revoked: false)`,
    },
    {
      name: "an expired token",
      objects: expiring({}),
      request: review({ extra: { "svctokens.dev/token-id": [expiresSoon.tokenId] } }),
      now: new Date(NOW.getTime() + 1000),
      denial: "expired",
      message: `ServiceToken prod/ci (token id ${expiresSoon.tokenId}) has expired: ask an Admin for a new token`,
    },
    {
      name: "a token past the expiry its spec implies",
      objects: { tokens: [serviceToken("ci", { expiresInDays: 1 })] },
      now: new Date(NOW.getTime() + DAY_MS),
      denial: "expired",
      message: `ServiceToken prod/ci (token id ${issued.tokenId}) has expired: ask an Admin for a new token`,
    },
    {
      name: "a regenerated token (its record holds a new hash)",
      objects: { records: [regenerated.record] },
      denial: "unknown",
      message: `token ${issued.tokenId} is no longer current (regenerated, rotated out or deleted): use the value its delivery Secret holds now`,
    },
    {
      name: "a deleted token (record gone)",
      objects: { records: [] },
      denial: "unknown",
      message: `token ${issued.tokenId} is no longer current (regenerated, rotated out or deleted): use the value its delivery Secret holds now`,
    },
    {
      name: "a ServiceToken recreated under the same name",
      objects: { tokens: [serviceToken("ci", { uid: "uid-new" })] },
      denial: "stale",
      message: `ServiceToken prod/ci (token id ${issued.tokenId}) belongs to a ServiceToken that was replaced or deleted`,
    },
    {
      name: "a token being deleted",
      objects: { tokens: [serviceToken("ci", { deleting: true })] },
      denial: "deleting",
      message: `ServiceToken prod/ci (token id ${issued.tokenId}) is being deleted`,
    },
    {
      name: "a deactivated user",
      objects: { users: [serviceUser("ci-bot", { role: "Manager", active: false })] },
      denial: "user-inactive",
      message: `the ServiceUser ci-bot of ServiceToken prod/ci (token id ${issued.tokenId}) is deactivated`,
    },
    {
      name: "a user that is gone",
      objects: { users: [] },
      denial: "user-missing",
      message: `the ServiceUser ci-bot of ServiceToken prod/ci (token id ${issued.tokenId}) no longer exists`,
    },
    {
      name: "two token ids",
      request: review({
        extra: { "svctokens.dev/token-id": [issued.tokenId, "0123456789abcdef"] },
      }),
      denial: "token-id",
      message: "the request names 2 token ids; a token request names one",
    },
    {
      name: "another user's name on the token",
      request: review({ user: "other@service" }),
      denial: "identity",
      message: `the request's user is not ci-bot@service, the owner of token ${issued.tokenId}`,
    },
    {
      name: "a user recreated under the same name (uid differs)",
      request: review({ uid: "uid-of-the-old-user" }),
      denial: "identity",
      message: `the request's user is not ci-bot@service, the owner of token ${issued.tokenId}`,
    },
    {
      name: "a downgrade Manager → Member (old groups)",
      objects: { users: [serviceUser("ci-bot", { role: "Member", teams: ["sre"] })] },
      denial: "stale-groups",
      message:
        "the role or teams of ServiceUser ci-bot changed (now svctokens:role:member, " +
        "svctokens:team:sre, svctokens:team:sre:member); this request carried the old ones: retry, the next " +
        "authentication has the new ones",
    },
    {
      name: "a team removed",
      objects: { users: [serviceUser("ci-bot", { role: "Manager" })] },
      denial: "stale-groups",
      message:
        "the role or teams of ServiceUser ci-bot changed (now svctokens:role:manager); this " +
        "request carried the old ones: retry, the next authentication has the new ones",
    },
  ];
  it.each(denials)("denies $name", ({ objects, request, now, denial, message }) => {
    const decision = decideAuthorization(request ?? review(), facts(objects ?? {}), now ?? NOW);
    expect(decision).toMatchObject({ kind: "deny", denial, message });
  });

  it("asks RBAC about the current groups after a promotion, without the token id", () => {
    const promoted = serviceUser("ci-bot", { role: "Admin", teams: ["sre", "web"] });
    const decision = decideAuthorization(
      review({ nonResourceAttributes: { path: "/x", verb: "get" } }),
      facts({ users: [promoted] }),
      NOW,
    ) as Extract<AuthorizationDecision, { kind: "ask-rbac" }>;
    expect(decision.kind).toBe("ask-rbac");
    expect(decision.review).toEqual({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: "ci-bot@service",
        uid: "uid-user-ci-bot",
        groups: [
          "system:authenticated",
          "svctokens:service-users",
          "svctokens:role:admin",
          "svctokens:team:sre",
          "svctokens:team:web",
          "svctokens:team:sre:admin",
          "svctokens:team:web:admin",
        ],
        extra: { "svctokens.dev/token-name": ["ci"], "svctokens.dev/token-namespace": ["prod"] },
        resourceAttributes: attributes,
        nonResourceAttributes: { path: "/x", verb: "get" },
      },
    });
    expect(decision.current).toBe(
      "now svctokens:role:admin, svctokens:team:sre, svctokens:team:web, " +
        "svctokens:team:sre:admin, svctokens:team:web:admin",
    );
  });
});

describe("isNarrower", () => {
  it.each([
    [["svctokens:role:member"], ["svctokens:role:manager"], true],
    [["svctokens:role:manager"], ["svctokens:role:admin"], true],
    [["svctokens:role:manager"], ["svctokens:role:member"], false],
    [["svctokens:team:a"], ["svctokens:team:a", "svctokens:team:b"], true],
    [["svctokens:team:a", "svctokens:team:b"], ["svctokens:team:a"], false],
    [["svctokens:team:a:member"], ["svctokens:team:a:manager"], true],
    [["svctokens:team:a:member"], ["svctokens:team:b:manager"], false],
    [["svctokens:team:a:admin"], ["svctokens:team:a:manager"], false],
    [["svctokens:role:constructor"], ["svctokens:role:admin"], false],
  ])("%j narrower than %j: %s", (old, current, expected) => {
    expect(isNarrower(old, current)).toBe(expected);
  });
});

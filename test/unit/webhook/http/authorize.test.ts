import { describe, expect, it } from "vitest";
import { call, postJson, harnessForFile } from "./http-harness.ts";
import { issue, serviceToken, serviceUser } from "../fixtures.ts";

const user = serviceUser("ci-bot", { role: "Member" });
const ci = serviceToken("ci");
const revoked = serviceToken("old", { revoked: true });
const ciToken = issue(ci);
const revokedToken = issue(revoked);

const t = harnessForFile({
  users: [user],
  tokens: [ci, revoked],
  records: [ciToken.record, revokedToken.record],
  clientCertificates: true,
});

/** A SubjectAccessReview as kube-apiserver sends it for a request made with `tokenId`. */
function sar(
  apiVersion: string,
  tokenId: string,
  groups = ["svctokens:service-users", "svctokens:role:member", "system:authenticated"],
): object {
  return {
    apiVersion,
    kind: "SubjectAccessReview",
    spec: {
      user: "ci-bot@service",
      uid: "uid-user-ci-bot",
      [apiVersion.endsWith("v1beta1") ? "group" : "groups"]: groups,
      extra: { "svctokens.dev/token-id": [tokenId] },
      resourceAttributes: { namespace: "prod", verb: "list", resource: "pods", version: "v1" },
    },
  };
}

const count = async (decision: string, reason: string): Promise<number> => {
  const metric = await t.h.deps.metrics.authorizations.get();
  const value = metric.values.find(
    (v) => v.labels.decision === decision && v.labels.reason === reason,
  );
  return value?.value ?? 0;
};

describe("POST /authorize", () => {
  it.each(["authorization.k8s.io/v1", "authorization.k8s.io/v1beta1"])(
    "answers %s in its own version: no opinion on a current token, a denial for a revoked one",
    async (apiVersion) => {
      const current = await postJson(t.h, t.pki, "/authorize", sar(apiVersion, ciToken.tokenId));
      expect(current.status).toBe(200);
      expect(current.headers["cache-control"]).toBe("no-store");
      expect(current.json()).toEqual({
        apiVersion,
        kind: "SubjectAccessReview",
        status: { allowed: false, denied: false },
      });
      const denied = await postJson(
        t.h,
        t.pki,
        "/authorize",
        sar(apiVersion, revokedToken.tokenId),
      );
      expect(denied.json()).toEqual({
        apiVersion,
        kind: "SubjectAccessReview",
        status: {
          allowed: false,
          denied: true,
          reason: `svctokens: ServiceToken prod/old (token id ${revokedToken.tokenId}) is revoked: an Admin may restore it (spec.revoked: false)`,
        },
      });
    },
  );

  it("asks RBAC about the current groups after a promotion, and answers as it does", async () => {
    const promotedGroups = ["svctokens:service-users", "svctokens:role:manager"];
    t.h.facts.applyServiceUser({
      type: "upsert",
      object: serviceUser("ci-bot", { role: "Manager" }),
    });
    const asked: unknown[] = [];
    try {
      for (const answer of [true, false]) {
        t.h.deps.reviewAccess = (review) => {
          asked.push(review);
          return Promise.resolve(answer);
        };
        const reply = await postJson(
          t.h,
          t.pki,
          "/authorize",
          sar("authorization.k8s.io/v1", ciToken.tokenId),
        );
        expect(reply.json()).toMatchObject({
          status: { allowed: answer, ...(answer ? {} : { denied: true }) },
        });
      }
      t.h.deps.reviewAccess = () => Promise.reject(new Error("API down"));
      const unchecked = await postJson(
        t.h,
        t.pki,
        "/authorize",
        sar("authorization.k8s.io/v1", ciToken.tokenId),
      );
      expect(unchecked.json()).toMatchObject({ status: { allowed: false, denied: false } });
    } finally {
      delete t.h.deps.reviewAccess;
      t.h.facts.applyServiceUser({ type: "upsert", object: user });
    }
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({
      spec: { groups: ["system:authenticated", ...promotedGroups], extra: {} },
    });
    expect(await count("allow", "promoted")).toBe(1);
    expect(await count("deny", "promoted")).toBe(1);
    expect(await count("no-opinion", "promoted-unchecked")).toBe(1);
  });

  it("refuses malformed reviews with 400 and no echo", async () => {
    const before = await count("no-opinion", "current");
    for (const body of [
      { apiVersion: "authorization.k8s.io/v2", kind: "SubjectAccessReview", spec: {} },
      { apiVersion: "authorization.k8s.io/v1", kind: "TokenReview", spec: {} },
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { groups: "svct_secret" },
      },
      { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview" },
    ]) {
      const answer = await postJson(t.h, t.pki, "/authorize", body);
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain("svct_secret");
    }
    expect(await count("no-opinion", "current")).toBe(before);
  });

  it("serves only clients with a certificate, and only POST", async () => {
    const body = JSON.stringify(sar("authorization.k8s.io/v1", ciToken.tokenId));
    const anonymous = await call(t.h, t.pki, {
      method: "POST",
      path: "/authorize",
      headers: { "Content-Type": "application/json" },
      body,
      clientCert: false,
    });
    expect(anonymous.status).toBe(401);
    expect((await call(t.h, t.pki, { path: "/authorize" })).status).toBe(405);
  });
});

// The webhook app's /validate endpoint, its caches, probes and metrics.
import { describe, expect, it } from "vitest";
import { admissionReview, call, postJson, tokenReview } from "./http-harness.ts";
import { admissionRequest } from "../admission/fixtures.ts";
import { AdminCheckThrottled } from "../../../../src/webhook/admission/admin-check.ts";
import { appHarness, ci, ciToken, scimToken } from "./app-world.ts";
import { serviceUser } from "../fixtures.ts";

const t = appHarness();

describe("POST /validate", () => {
  it("echoes the uid, asks RBAC only when it matters, and says why it denies", async () => {
    const checks = t.h.adminChecks.length;
    const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("new-bot") });
    const denied = await postJson(
      t.h,
      t.pki,
      "/validate",
      admissionReview({ ...create, uid: "r-1" }),
    );
    expect(denied.status).toBe(200);
    expect(denied.json()).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: {
        uid: "r-1",
        allowed: false,
        status: {
          code: 403,
          reason: "Forbidden",
          message: expect.stringMatching(
            /^Creating ServiceUser new-bot is an Admin action/,
          ) as unknown,
        },
      },
    });
    const allowed = await postJson(
      t.h,
      t.pki,
      "/validate",
      admissionReview({ ...create, uid: "r-2", userInfo: { username: "root" } }),
    );
    expect(allowed.json()).toMatchObject({ response: { uid: "r-2", allowed: true } });
    expect(t.h.adminChecks.length - checks).toBe(2);

    const label = admissionRequest("UPDATE", "servicetokens", {
      oldObject: ci,
      object: { ...ci, metadata: { ...ci.metadata, labels: { team: "payments" } } },
    });
    const metadataOnly = await postJson(
      t.h,
      t.pki,
      "/validate",
      admissionReview({ ...label, uid: "r-3" }),
    );
    expect(metadataOnly.json()).toMatchObject({ response: { uid: "r-3", allowed: true } });
    expect(t.h.adminChecks.length - checks).toBe(2);
  });

  it("fails closed with a readable message when RBAC cannot be asked", async () => {
    const original = t.h.state.adminAnswer;
    t.h.state.adminAnswer = () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.1:443"));
    try {
      const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("x") });
      const answer = await postJson(
        t.h,
        t.pki,
        "/validate",
        admissionReview({ ...create, uid: "r-4" }),
      );
      expect(answer.json()).toMatchObject({
        response: {
          uid: "r-4",
          allowed: false,
          status: {
            message:
              'Could not check whether "alice" is an svctokens Admin (the Kubernetes API did ' +
              "not answer the access review): try again in a moment",
          },
        },
      });
      expect(answer.text).not.toContain("ECONNREFUSED");
    } finally {
      t.h.state.adminAnswer = original;
    }
  });

  it("denies (fail closed) with a clear message when the access-review budget is spent", async () => {
    const original = t.h.state.adminAnswer;
    t.h.state.adminAnswer = () => Promise.reject(new AdminCheckThrottled());
    try {
      const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("y") });
      const answer = await postJson(
        t.h,
        t.pki,
        "/validate",
        admissionReview({ ...create, uid: "r-5" }),
      );
      expect(answer.json()).toMatchObject({
        response: {
          uid: "r-5",
          allowed: false,
          status: {
            message: expect.stringContaining(
              "too many access reviews right now (rate limit): try again in a few seconds",
            ) as unknown,
          },
        },
      });
    } finally {
      t.h.state.adminAnswer = original;
    }
  });
});

describe("caches, probes and metrics", () => {
  it("serves no probes or metrics on the HTTPS port (they have a plain-HTTP port of their own)", async () => {
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      expect((await call(t.h, t.pki, { path })).status, path).toBe(404);
    }
  });

  it("decides nothing while the caches are not synced", async () => {
    t.h.state.synced = false;
    try {
      // No decisions on partial caches: an error kube-apiserver will retry, not a cached "no".
      const review = await postJson(t.h, t.pki, "/authenticate", tokenReview(ciToken.value));
      expect(review.status).toBe(503);
      expect(review.headers["retry-after"]).toBe("1");
      const verify = await call(t.h, t.pki, {
        path: "/verify",
        headers: { Authorization: `Bearer ${ciToken.value}` },
      });
      expect(verify.status).toBe(503);
    } finally {
      t.h.state.synced = true;
    }
  });

  it("counts authentications and admission decisions", async () => {
    // Its own traffic, so the figures do not depend on the other tests of this file.
    expect((await postJson(t.h, t.pki, "/authenticate", tokenReview(ciToken.value))).status).toBe(
      200,
    );
    await postJson(t.h, t.pki, "/authenticate", tokenReview(scimToken.value));
    const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("count-bot") });
    await postJson(t.h, t.pki, "/validate", admissionReview(create));
    const answer = { text: await t.h.deps.metrics.registry.metrics() };
    expect(answer.text).toMatch(
      /svctokens_webhook_authentications_total\{endpoint="authenticate",result="success",reason=""\} [1-9]/,
    );
    expect(answer.text).toMatch(
      /svctokens_webhook_authentications_total\{endpoint="authenticate",result="failure",reason="audience"\} [1-9]/,
    );
    expect(answer.text).toMatch(
      /svctokens_webhook_admission_decisions_total\{resource="serviceusers",operation="CREATE",allowed="false"\} [1-9]/,
    );
    expect(answer.text).toContain("svctokens_webhook_authentication_duration_seconds_bucket");
  });
});

describe("POST /mutate", () => {
  it("answers a ServiceToken CREATE with the finalizer and owner patch, echoing the uid", async () => {
    const checks = t.h.adminChecks.length;
    const create = admissionRequest("CREATE", "servicetokens", { object: ci });
    const answer = await postJson(
      t.h,
      t.pki,
      "/mutate",
      admissionReview({ ...create, uid: "m-1" }),
    );
    expect(answer.status).toBe(200);
    const body = answer.json() as { response: { uid: string; allowed: boolean; patch: string } };
    expect(body.response).toMatchObject({ uid: "m-1", allowed: true, patchType: "JSONPatch" });
    expect(JSON.parse(Buffer.from(body.response.patch, "base64").toString())).toEqual([
      { op: "add", path: "/metadata/finalizers", value: ["svctokens.dev/hash-record"] },
      {
        op: "add",
        path: "/metadata/ownerReferences",
        value: [
          {
            apiVersion: "svctokens.dev/v1alpha1",
            kind: "ServiceUser",
            name: "ci-bot",
            uid: "uid-user-ci-bot",
          },
        ],
      },
    ]);
    // Allowed, never refused, and no access review: it grants nothing.
    const update = admissionRequest("UPDATE", "servicetokens", { object: ci, oldObject: ci });
    const unchanged = await postJson(t.h, t.pki, "/mutate", admissionReview(update));
    expect(unchanged.json()).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "uid-review", allowed: true },
    });
    expect(t.h.adminChecks.length - checks).toBe(0);
    expect((await postJson(t.h, t.pki, "/mutate", { nope: true })).status).toBe(400);
    expect((await call(t.h, t.pki, { path: "/mutate" })).status).toBe(405);
  });
});

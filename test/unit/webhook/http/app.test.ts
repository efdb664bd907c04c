import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  admissionReview,
  call,
  createTestPki,
  postJson,
  removePki,
  startHarness,
  tokenReview,
  type Harness,
  type TestPki,
} from "./http-harness.ts";
import { admissionRequest } from "../admission/fixtures.ts";
import { issue, serviceToken, serviceUser } from "../fixtures.ts";
import { AdminCheckThrottled } from "../../../../src/webhook/admission/admin-check.ts";

const user = serviceUser("ci-bot", { role: "Member", teams: ["payments"] });
const ci = serviceToken("ci");
const scim = serviceToken("scim", { audiences: ["scim"] });
const revoked = serviceToken("old", { revoked: true });
const ciToken = issue(ci);
const scimToken = issue(scim);
const revokedToken = issue(revoked);

let pki: TestPki;
let h: Harness;

beforeAll(async () => {
  pki = await createTestPki();
  h = await startHarness({
    pki,
    users: [user],
    tokens: [ci, scim, revoked],
    records: [ciToken.record, scimToken.record, revokedToken.record],
    admins: ["root"],
    clientCertificates: true,
  });
});

afterAll(async () => {
  await h.stop();
  await removePki(pki);
});

describe("POST /authenticate", () => {
  it("answers a TokenReview for a valid token, and notes the use", async () => {
    const before = h.uses.length;
    const answer = await postJson(
      h,
      pki,
      "/authenticate",
      tokenReview(ciToken.value, ["https://kubernetes.default.svc"]),
    );
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      status: {
        authenticated: true,
        user: {
          username: "ci-bot@service",
          uid: "uid-user-ci-bot",
          groups: [
            "svctokens:service-users",
            "svctokens:role:member",
            "svctokens:team:payments",
            "svctokens:team:payments:member",
          ],
          extra: {
            "svctokens.dev/token-id": [ciToken.tokenId],
            "svctokens.dev/token-name": ["ci"],
            "svctokens.dev/token-namespace": ["prod"],
            "authentication.kubernetes.io/credential-id": [`svctokens-token-id=${ciToken.tokenId}`],
          },
        },
        audiences: ["https://kubernetes.default.svc"],
      },
    });
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(h.uses.slice(before).map((u) => u.tokenKey)).toEqual(["prod/ci"]);
  });

  it("refuses a SCIM token for kube-apiserver's audience, and a revoked token", async () => {
    for (const body of [
      tokenReview(scimToken.value, ["https://kubernetes.default.svc"]),
      tokenReview(scimToken.value),
      tokenReview(revokedToken.value),
    ]) {
      const answer = await postJson(h, pki, "/authenticate", body);
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        status: { authenticated: false },
      });
    }
  });

  it("answers TokenReview v1beta1 in v1beta1 (kube-apiserver's default, Pinniped)", async () => {
    const review = {
      ...(tokenReview(ciToken.value) as object),
      apiVersion: "authentication.k8s.io/v1beta1",
    };
    const answer = await postJson(h, pki, "/authenticate", review);
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      apiVersion: "authentication.k8s.io/v1beta1",
      kind: "TokenReview",
      status: { authenticated: true, user: { username: "ci-bot@service" } },
    });
    const refused = await postJson(h, pki, "/authenticate", {
      ...review,
      spec: { token: revokedToken.value },
    });
    expect(refused.json()).toEqual({
      apiVersion: "authentication.k8s.io/v1beta1",
      kind: "TokenReview",
      status: { authenticated: false },
    });
  });
});

describe("only kube-apiserver's client certificate reaches /authenticate and /validate", () => {
  const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("probe") });
  const bodies = {
    "/authenticate": tokenReview(ciToken.value),
    "/validate": admissionReview({ ...create, userInfo: { username: "root" } }),
  };
  it.each<[string, "none" | "strangerCa" | "otherName", number, string]>([
    ["no certificate", "none", 401, "a client certificate is required"],
    ["the right name from another CA", "strangerCa", 401, "not from its CA"],
    ["another name from the client CA", "otherName", 403, "name is not allowed"],
  ])("refuses %s, before any decision or access review", async (_case, which, code, message) => {
    for (const [path, body] of Object.entries(bodies)) {
      const checks = h.adminChecks.length;
      const uses = h.uses.length;
      const clientCert = which === "none" ? false : pki[which];
      const answer = await postJson(h, pki, path, body, { clientCert });
      expect(answer.status, path).toBe(code);
      expect(answer.json()).toMatchObject({ kind: "Status", code });
      expect(answer.text).toContain(message);
      expect(answer.text).not.toContain("ci-bot");
      expect(h.adminChecks.length, path).toBe(checks);
      expect(h.uses.length, path).toBe(uses);
    }
  });

  it("serves kube-apiserver's pinned name on both, and leaves /verify open to gateways", async () => {
    for (const [path, body] of Object.entries(bodies)) {
      expect((await postJson(h, pki, path, body)).status, path).toBe(200);
    }
    const verify = await call(h, pki, {
      path: "/verify",
      headers: { Authorization: `Bearer ${ciToken.value}` },
      clientCert: false,
    });
    expect(verify.status).toBe(200);
  });
});

describe("GET /verify", () => {
  it("answers 200 with identity headers for a valid Bearer token", async () => {
    const answer = await call(h, pki, {
      path: "/verify",
      headers: { Authorization: `Bearer ${ciToken.value}` },
      clientCert: false,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["x-auth-request-user"]).toBe("ci-bot@service");
    expect(answer.headers["x-auth-request-groups"]).toBe(
      "svctokens:service-users,svctokens:role:member,svctokens:team:payments," +
        "svctokens:team:payments:member",
    );
    expect(answer.headers["x-auth-request-token-id"]).toBe(ciToken.tokenId);
  });

  it("accepts a SCIM token only where the scim audience is asked for", async () => {
    const bearer = { Authorization: `Bearer ${scimToken.value}` };
    const plain = await call(h, pki, { path: "/verify", headers: bearer });
    expect(plain.status).toBe(401);
    expect(plain.headers["www-authenticate"]).toMatch(/^Bearer /);
    const scimAnswer = await call(h, pki, { path: "/verify?audience=scim", headers: bearer });
    expect(scimAnswer.status).toBe(200);
    expect(scimAnswer.headers["x-auth-request-user"]).toBe("ci-bot@service");
  });

  it("answers 401 with WWW-Authenticate for no token and a revoked one", async () => {
    const none = await call(h, pki, { path: "/verify" });
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="svctokens"');
    const old = await call(h, pki, {
      path: "/verify",
      headers: { Authorization: `Bearer ${revokedToken.value}` },
    });
    expect(old.status).toBe(401);
    expect(old.headers["www-authenticate"]).toBe('Bearer realm="svctokens", error="invalid_token"');
    expect(old.headers["x-auth-request-user"]).toBeUndefined();
  });
});

describe("POST /validate", () => {
  it("echoes the uid, asks RBAC only when it matters, and says why it denies", async () => {
    const checks = h.adminChecks.length;
    const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("new-bot") });
    const denied = await postJson(h, pki, "/validate", admissionReview({ ...create, uid: "r-1" }));
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
      h,
      pki,
      "/validate",
      admissionReview({ ...create, uid: "r-2", userInfo: { username: "root" } }),
    );
    expect(allowed.json()).toMatchObject({ response: { uid: "r-2", allowed: true } });
    expect(h.adminChecks.length - checks).toBe(2);

    const label = admissionRequest("UPDATE", "servicetokens", {
      oldObject: ci,
      object: { ...ci, metadata: { ...ci.metadata, labels: { team: "payments" } } },
    });
    const metadataOnly = await postJson(
      h,
      pki,
      "/validate",
      admissionReview({ ...label, uid: "r-3" }),
    );
    expect(metadataOnly.json()).toMatchObject({ response: { uid: "r-3", allowed: true } });
    expect(h.adminChecks.length - checks).toBe(2);
  });

  it("fails closed with a readable message when RBAC cannot be asked", async () => {
    const original = h.state.adminAnswer;
    h.state.adminAnswer = () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.1:443"));
    try {
      const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("x") });
      const answer = await postJson(
        h,
        pki,
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
      h.state.adminAnswer = original;
    }
  });

  it("denies (fail closed) with a clear message when the access-review budget is spent", async () => {
    const original = h.state.adminAnswer;
    h.state.adminAnswer = () => Promise.reject(new AdminCheckThrottled());
    try {
      const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("y") });
      const answer = await postJson(
        h,
        pki,
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
      h.state.adminAnswer = original;
    }
  });
});

describe("caches, probes and metrics", () => {
  it("serves no probes or metrics on the HTTPS port (they have a plain-HTTP port of their own)", async () => {
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      expect((await call(h, pki, { path })).status, path).toBe(404);
    }
  });

  it("decides nothing while the caches are not synced", async () => {
    h.state.synced = false;
    try {
      // No decisions on partial caches: an error kube-apiserver will retry, not a cached "no".
      const review = await postJson(h, pki, "/authenticate", tokenReview(ciToken.value));
      expect(review.status).toBe(503);
      expect(review.headers["retry-after"]).toBe("1");
      const verify = await call(h, pki, {
        path: "/verify",
        headers: { Authorization: `Bearer ${ciToken.value}` },
      });
      expect(verify.status).toBe(503);
    } finally {
      h.state.synced = true;
    }
  });

  it("counts authentications and admission decisions", async () => {
    const answer = { text: await h.deps.metrics.registry.metrics() };
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

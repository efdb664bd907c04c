// The webhook app's authentication endpoints: /authenticate, /verify, and who may reach them.
import { describe, expect, it } from "vitest";
import { admissionReview, call, postJson, tokenReview } from "./http-harness.ts";
import { admissionRequest } from "../admission/fixtures.ts";
import { appHarness, ciToken, revokedToken, scimToken } from "./app-world.ts";
import { serviceUser } from "../fixtures.ts";

const t = appHarness();

describe("POST /authenticate", () => {
  it("answers a TokenReview for a valid token, and notes the use", async () => {
    const before = t.h.uses.length;
    const answer = await postJson(
      t.h,
      t.pki,
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
    expect(t.h.uses.slice(before).map((u) => u.tokenKey)).toEqual(["prod/ci"]);
  });

  it("refuses a SCIM token for kube-apiserver's audience, and a revoked token", async () => {
    for (const body of [
      tokenReview(scimToken.value, ["https://kubernetes.default.svc"]),
      tokenReview(scimToken.value),
      tokenReview(revokedToken.value),
    ]) {
      const answer = await postJson(t.h, t.pki, "/authenticate", body);
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
    const answer = await postJson(t.h, t.pki, "/authenticate", review);
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      apiVersion: "authentication.k8s.io/v1beta1",
      kind: "TokenReview",
      status: { authenticated: true, user: { username: "ci-bot@service" } },
    });
    const refused = await postJson(t.h, t.pki, "/authenticate", {
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
    "/mutate": admissionReview(create),
  };
  it.each<[string, "none" | "strangerCa" | "otherName", number, string]>([
    ["no certificate", "none", 401, "a client certificate is required"],
    ["the right name from another CA", "strangerCa", 401, "not from its CA"],
    ["another name from the client CA", "otherName", 403, "name is not allowed"],
  ])("refuses %s, before any decision or access review", async (_case, which, code, message) => {
    for (const [path, body] of Object.entries(bodies)) {
      const checks = t.h.adminChecks.length;
      const uses = t.h.uses.length;
      const clientCert = which === "none" ? false : t.pki[which];
      const answer = await postJson(t.h, t.pki, path, body, { clientCert });
      expect(answer.status, path).toBe(code);
      expect(answer.json()).toMatchObject({ kind: "Status", code });
      expect(answer.text).toContain(message);
      expect(answer.text).not.toContain("ci-bot");
      expect(t.h.adminChecks.length, path).toBe(checks);
      expect(t.h.uses.length, path).toBe(uses);
    }
  });

  it("serves kube-apiserver's pinned name on both, and leaves /verify open to gateways", async () => {
    for (const [path, body] of Object.entries(bodies)) {
      expect((await postJson(t.h, t.pki, path, body)).status, path).toBe(200);
    }
    const verify = await call(t.h, t.pki, {
      path: "/verify",
      headers: { Authorization: `Bearer ${ciToken.value}` },
      clientCert: false,
    });
    expect(verify.status).toBe(200);
  });
});

describe("GET /verify", () => {
  it("answers 200 with identity headers for a valid Bearer token", async () => {
    const answer = await call(t.h, t.pki, {
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
    const plain = await call(t.h, t.pki, { path: "/verify", headers: bearer });
    expect(plain.status).toBe(401);
    expect(plain.headers["www-authenticate"]).toMatch(/^Bearer /);
    const scimAnswer = await call(t.h, t.pki, { path: "/verify?audience=scim", headers: bearer });
    expect(scimAnswer.status).toBe(200);
    expect(scimAnswer.headers["x-auth-request-user"]).toBe("ci-bot@service");
  });

  it("answers 401 with WWW-Authenticate for no token and a revoked one", async () => {
    const none = await call(t.h, t.pki, { path: "/verify" });
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="svctokens"');
    const old = await call(t.h, t.pki, {
      path: "/verify",
      headers: { Authorization: `Bearer ${revokedToken.value}` },
    });
    expect(old.status).toBe(401);
    expect(old.headers["www-authenticate"]).toBe('Bearer realm="svctokens", error="invalid_token"');
    expect(old.headers["x-auth-request-user"]).toBeUndefined();
  });
});

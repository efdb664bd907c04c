// /verify as gateways call it (any method, Envoy's appended path, Traefik's X-Forwarded-*,
// ?group=), and the paths and methods it must not open: nothing but /verify's own answer.
import { describe, expect, it } from "vitest";
import { httpsRequest } from "../../../https-request.ts";
import { call, tokenReview, type Answer, type Call } from "./http-harness.ts";
import { appHarness, ciToken, scimToken } from "./app-world.ts";

const t = appHarness();
const ci = { Authorization: `Bearer ${ciToken.value}` };
const scim = { Authorization: `Bearer ${scimToken.value}` };

/** Sends `c.path` byte for byte: a URL would resolve its dot segments before sending. */
async function callVerbatim(c: Call): Promise<Answer> {
  const answer = await httpsRequest(t.h.url("/"), {
    method: c.method ?? "GET",
    path: c.path,
    ca: t.pki.caPem,
    agent: false,
    headers: c.headers,
    body: c.body,
  });
  return { ...answer, json: () => JSON.parse(answer.text) as unknown };
}

/** /verify's 403s so far (other tests of the file count too: compare before and after). */
async function refused403(): Promise<number> {
  const metrics = await t.h.deps.metrics.registry.metrics();
  const found =
    /svctokens_webhook_rejected_requests_total\{route="verify",code="403"\} (\d+)\n/.exec(metrics);
  return Number(found?.[1] ?? 0);
}

describe("/verify for gateways", () => {
  it.each(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])(
    "answers %s on the exact path and under a sub-path (Envoy's path prefix)",
    async (method) => {
      for (const path of ["/verify", "/verify/", "/verify/api/v1/users?page=2"]) {
        const answer = await call(t.h, t.pki, { method, path, headers: ci, clientCert: false });
        expect(answer.status, path).toBe(200);
        expect(answer.headers["x-auth-request-user"], path).toBe("ci-bot@service");
        const none = await call(t.h, t.pki, { method, path, clientCert: false });
        expect(none.status, path).toBe(401);
      }
    },
  );

  it("takes Traefik's request with X-Forwarded-Method and -Uri, whose query is not read", async () => {
    const forwarded = {
      "X-Forwarded-Method": "POST",
      "X-Forwarded-Uri": "/scim/v2/Users?audience=scim",
    };
    const answer = await call(t.h, t.pki, { path: "/verify", headers: { ...ci, ...forwarded } });
    expect(answer.status).toBe(200);
    const widened = await call(t.h, t.pki, { path: "/verify", headers: { ...scim, ...forwarded } });
    expect(widened.status).toBe(401);
  });

  it("requires one of the ?group= groups: 403 without, 200 with, 401 still for a bad token", async () => {
    const refusedBefore = await refused403();
    const missing = await call(t.h, t.pki, {
      path: "/verify?group=svctokens:team:identity",
      headers: ci,
    });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain("none of the groups");
    expect(missing.headers["x-auth-request-user"]).toBeUndefined();
    for (const path of [
      "/verify?group=svctokens:team:payments",
      "/verify?group=svctokens:team:identity&group=svctokens:team:payments",
      "/verify?group=svctokens:team:identity,svctokens:role:member",
      "/verify;group=svctokens:team:payments/api",
    ]) {
      expect((await call(t.h, t.pki, { path, headers: ci })).status, path).toBe(200);
    }
    const unknown = await call(t.h, t.pki, {
      path: "/verify?group=svctokens:team:payments",
      headers: { Authorization: `Bearer ${differentLastCharacter(ciToken.value)}` },
    });
    expect(unknown.status).toBe(401);
    expect(await refused403()).toBe(refusedBefore + 1);
  });

  it("refuses malformed groups with 400 and a reason, before looking at the token", async () => {
    for (const path of [
      "/verify?group=",
      "/verify?group=a,,b",
      "/verify;group=/x",
      "/verify;role=admin/x",
    ]) {
      const answer = await call(t.h, t.pki, { path, headers: ci });
      expect(answer.status, path).toBe(400);
      expect(answer.json()).toMatchObject({ kind: "Status", code: 400 });
    }
  });

  it("never reads a client's query under a sub-path: no audience, no group from there", async () => {
    const widened = await call(t.h, t.pki, {
      path: "/verify/scim/v2?audience=scim",
      headers: scim,
    });
    expect(widened.status).toBe(401);
    const ownAudience = await call(t.h, t.pki, {
      path: "/verify;audience=scim/scim/v2",
      headers: scim,
    });
    expect(ownAudience.status).toBe(200);
    // The gateway's group holds even when the client adds one the token has.
    const added = await call(t.h, t.pki, {
      path: "/verify;group=svctokens:team:identity/x?group=svctokens:team:payments",
      headers: ci,
    });
    expect(added.status).toBe(403);
    const clientMatrix = await call(t.h, t.pki, { path: "/verify/x;audience=scim", headers: scim });
    expect(clientMatrix.status).toBe(401);
  });
});

describe("what /verify's new paths and methods do not open", () => {
  const review = JSON.stringify(tokenReview(ciToken.value));
  const json = { "Content-Type": "application/json" };

  it.each([
    "/verifyx",
    "/verify-x",
    "/Verify",
    "/%76erify",
    "/authenticate/../verify",
    "/x/verify",
  ])("%s is no endpoint", async (path) => {
    expect((await callVerbatim({ path, headers: ci })).status).toBe(404);
  });

  it.each(["/verify/../authenticate", "/verify/%2e%2e/authenticate", "/verify/..%2fauthenticate"])(
    "%s is a /verify request, never a TokenReview without a client certificate",
    async (path) => {
      const answer = await callVerbatim({ method: "POST", path, headers: json, body: review });
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe('Bearer realm="svctokens"');
      expect(answer.text).not.toContain("TokenReview");
      expect(answer.text).not.toContain("ci-bot");
    },
  );

  it("leaves /authenticate, /authorize and /validate to kube-apiserver's certificate", async () => {
    for (const path of ["/authenticate", "/authorize", "/validate"]) {
      const answer = await call(t.h, t.pki, {
        method: "POST",
        path,
        headers: { ...json, ...ci },
        body: review,
        clientCert: false,
      });
      expect(answer.status, path).toBe(401);
      expect(answer.text, path).toContain("client certificate");
      const get = await call(t.h, t.pki, { path, headers: ci, clientCert: false });
      expect(get.status, path).toBe(405);
    }
  });
});

/** The value with its last character replaced by a different one: never the same token. */
function differentLastCharacter(value: string): string {
  return value.slice(0, -1) + (value.endsWith("A") ? "B" : "A");
}
